/** What a git unit's attempt is told at its start (SPEC §9): the base and what its starting point merges. */
import type { GitAttempt, GitRunInput } from '../contracts/git';
import { startingInputs } from '../plan/starting-inputs';
import type { WorkUnit } from '../plan/types';
import type { RunState } from './run-state';

/**
 * Computed when the attempt starts, from the state as it is then: a later attempt of the same
 * unit also merges the overlapping units that succeeded meanwhile.
 */
export function gitAttemptInput(
  git: GitRunInput,
  unit: WorkUnit,
  partners: readonly string[],
  state: RunState,
): GitAttempt {
  const commitOf = (unitId: string): string | undefined => {
    if (!state.has(unitId)) return undefined;
    const record = state.view(unitId);
    return record.status === 'SUCCEEDED' ? record.commit : undefined;
  };
  return {
    base: git.base,
    ...(git.remote === undefined ? {} : { remote: git.remote }),
    merges: startingInputs(unit, partners, commitOf),
    keepFailed: git.keepFailed,
    identity: git.identity,
  };
}
