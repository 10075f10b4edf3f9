/**
 * How a completion ends its unit. A shared run's completion ends it at once; in a git run
 * (SPEC §9) a succeeded unit first waits for its merge into the integration.
 */
import type { Completion } from './completions';
import { integrationConflict, integrationFailed, type GitIntegration } from './git-integration';
import type { RunState } from './run-state';
import type { UnitOutcome } from './unit-record';

/** Git units whose attempt succeeded, waiting for their merge into the integration. */
export type PendingOutcomes = Map<string, Extract<UnitOutcome, { kind: 'succeeded' }>>;

export interface UnitEndContext {
  readonly state: RunState;
  readonly pendingOutcomes: PendingOutcomes;
  readonly integration?: GitIntegration;
  /** The run a retry reuses units of. */
  readonly retryOf?: string;
}

/**
 * How a completion ends its unit, or undefined when it does not end one yet: in a git run a
 * succeeded unit first waits for its merge into the integration, and a reused unit counts as
 * reused only once merged (one that conflicts runs again instead).
 */
export function unitEnd(
  completion: Completion,
  context: UnitEndContext,
): { unitId: string; outcome: UnitOutcome } | undefined {
  const { integration, state, pendingOutcomes } = context;
  if (completion.kind === 'unit') {
    const { unitId, outcome } = completion;
    if (outcome.kind === 'returned') return undefined;
    if (integration === undefined || outcome.kind !== 'succeeded' || outcome.commit === undefined) {
      return { unitId, outcome };
    }
    pendingOutcomes.set(unitId, outcome);
    // The unit keeps its slot until its merge settles it: the launch a freed slot allows comes
    // after the unit's completion event, as in a shared run (SPEC §5 rounds; issue 15 "same events").
    integration.enqueue({ kind: 'completed', unitId, output: outcome.commit });
    return undefined;
  }
  const { entry, conflicts, failure } = completion.done;
  const merged = conflicts === undefined && failure === undefined;
  if (entry.kind === 'reused') {
    const retryOf = context.retryOf;
    // An operator may have cancelled the unit while it waited for its merge.
    const stillPending = state.status(entry.unitId) === 'PENDING';
    if (merged && retryOf !== undefined && stillPending) {
      state.reuse(entry.unitId, entry.earlier, retryOf);
    }
    return undefined;
  }
  const outcome = pendingOutcomes.get(entry.unitId);
  pendingOutcomes.delete(entry.unitId);
  if (outcome === undefined || outcome.kind !== 'succeeded') return undefined;
  if (merged) return { unitId: entry.unitId, outcome };
  const failed: UnitOutcome = {
    kind: 'failed',
    exitCode: 1,
    error:
      conflicts === undefined
        ? integrationFailed(entry.unitId, failure ?? '')
        : integrationConflict(entry.unitId, conflicts),
    startedAt: outcome.startedAt,
    finishedAt: outcome.finishedAt,
    ...(outcome.containment === undefined ? {} : { containment: outcome.containment }),
    ...(outcome.observed === undefined ? {} : { observed: outcome.observed }),
    ...(outcome.host === undefined ? {} : { host: outcome.host }),
  };
  return { unitId: entry.unitId, outcome: failed };
}
