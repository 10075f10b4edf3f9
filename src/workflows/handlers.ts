/**
 * The queries and the update of a fan-out run, wired to its state. Queries only read; the
 * `cancelUnit` update's validator rejects unknown and finished units before anything reaches
 * history, and the update answers only once the unit has ended (its agent stopped).
 */
import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import type { FanoutResult } from '../plan/types';
import { TERMINAL_STATUSES } from '../plan/types';
import { workflowNowIso } from './clock';
import { cancelUnitUpdate, eventsQuery, progressQuery, resultQuery } from './messages';
import { buildProgress } from './progress';
import type { RunState } from './run-state';
import type { Progress } from '../contracts/run-types';

export interface RunHandlersContext {
  readonly state: RunState;
  readonly phase: () => Progress['state'];
  /** The result once the run has ended (null before). */
  readonly result: () => FanoutResult | null;
  /** Asks a launched unit's scope to cancel, recording that an operator asked for it. */
  readonly cancelLaunchedUnit: (unitId: string) => void;
}

export function registerRunHandlers(context: RunHandlersContext): void {
  const { state } = context;
  const finished = (): boolean => context.phase() !== 'running' && context.phase() !== 'cancelling';

  setHandler(progressQuery, () => buildProgress(state, context.phase()));
  setHandler(eventsQuery, (from) => {
    const first = Math.max(from, state.eventOffset);
    return {
      events: state.events.slice(first - state.eventOffset),
      first,
      total: state.eventOffset + state.events.length,
      finished: finished(),
    };
  });
  setHandler(resultQuery, () => context.result());
  setHandler(
    cancelUnitUpdate,
    async (unitId) => {
      if (state.status(unitId) === 'PENDING') {
        state.cancelPending(unitId, workflowNowIso());
        // A prefetched unit's first attempt may be waiting for a slot on a worker: call it back.
        context.cancelLaunchedUnit(unitId);
      } else context.cancelLaunchedUnit(unitId);
      await condition(() => TERMINAL_STATUSES.has(state.status(unitId)));
      return { unit_id: unitId, status: state.status(unitId) };
    },
    { validator: (unitId: string) => validateCancellable(state, unitId) },
  );
}

function validateCancellable(state: RunState, unitId: string): void {
  if (!state.has(unitId)) {
    throw ApplicationFailure.create({ message: `No unit '${unitId}' in this run`, type: 'UnknownUnit' });
  }
  const status = state.status(unitId);
  if (TERMINAL_STATUSES.has(status)) {
    throw ApplicationFailure.create({
      message: `Unit '${unitId}' has already ended (${status})`,
      type: 'UnitFinished',
    });
  }
}
