/** How a run's end is told: a rejected plan's failure, a failed run's message, the summary's rows. */
import { ApplicationFailure } from '@temporalio/workflow';
import type { SummaryInput } from '../activities';
import type { FanoutResult } from '../plan/types';
import { PREFLIGHT_UNIT_ID } from '../plan/types';
import type { RunState } from './run-state';

export function rejectedRun(workflowId: string, runId: string, error: string): ApplicationFailure {
  const result: FanoutResult = {
    workflow_id: workflowId,
    run_id: runId,
    status: 'rejected',
    events: [{ type: 'worker_failed', unit_id: PREFLIGHT_UNIT_ID, exit_code: 2, error }],
    units: {},
  };
  return ApplicationFailure.create({
    type: 'PlanRejected',
    nonRetryable: true,
    message: error,
    details: [result],
  });
}

/** The summary's input: its rows from the run state, or (a stored result) read on the host. */
export function summaryInput(
  state: RunState,
  repo: string,
  retryOf: string | undefined,
  resultFile?: SummaryInput['resultFile'],
  git?: SummaryInput['git'],
): SummaryInput {
  const common = {
    repo,
    namespaceRoot: state.plan.namespaceRoot,
    evidencePattern: state.plan.evidence.pattern,
    retryOf,
    ...(git === undefined ? {} : { git }),
  };
  if (resultFile !== undefined) return { ...common, resultFile };
  const { outOfBounds: strays } = state.reports;
  const outOfBounds = strays.length === 0 ? {} : { outOfBounds: strays };
  return {
    ...common,
    ...outOfBounds,
    units: state.plan.workUnits.map((unit) => {
      const record = state.view(unit.unitId);
      return {
        unitId: unit.unitId,
        status: record.status,
        error: record.error,
        launched: record.launched,
        evidenceCount: record.evidenceCount,
        ...(record.changes === undefined ? {} : { changes: record.changes }),
      };
    }),
  };
}

/** `<n> of <total> units did not succeed: a (FAILED), b (BLOCKED), …` — the first five named. */
export function failureMessage(state: RunState): string {
  const notOk = state.plan.workUnits
    .map((unit) => ({ id: unit.unitId, status: state.status(unit.unitId) }))
    .filter((unit) => unit.status !== 'SUCCEEDED');
  const named = notOk.slice(0, 5).map((unit) => `${unit.id} (${unit.status})`);
  const more = notOk.length > 5 ? `, and ${notOk.length - 5} more` : '';
  return `${notOk.length} of ${state.plan.workUnits.length} units did not succeed: ${named.join(', ')}${more}`;
}
