/**
 * What the scheduler loop handles one at a time, and in which order it takes them.
 */
import { compareCodePoints } from '../plan/overlap';
import type { IntegrationDone } from './git-integration';
import type { UnitRunEnd } from './unit-record';

/** What the loop handles one at a time: a unit's coroutine ended, or a git merge answered. */
export type Completion =
  | { readonly kind: 'unit'; readonly unitId: string; readonly outcome: UnitRunEnd }
  | { readonly kind: 'integration'; readonly done: IntegrationDone };

/**
 * Takes the next completion to handle. Attempts that handed their slots over (prefetch) did so in
 * code-point order of the units they handed them to, but their completions may reach the
 * workflow in another order: among those that arrived together, the one whose unit comes first is
 * handled first, so the units that took the slots start in order. Others keep their place.
 */
export function takeNextCompletion(queue: Completion[]): Completion | undefined {
  const handedTo = (completion: Completion | undefined): string | undefined =>
    completion?.kind === 'unit' && completion.outcome.kind === 'succeeded'
      ? completion.outcome.handedTo
      : undefined;
  const firstTo = handedTo(queue[0]);
  if (firstTo === undefined) return queue.shift();
  let pick = 0;
  let pickTo = firstTo;
  queue.forEach((completion, index) => {
    const to = handedTo(completion);
    if (to !== undefined && compareCodePoints(to, pickTo) < 0) {
      pick = index;
      pickTo = to;
    }
  });
  return queue.splice(pick, 1)[0];
}
