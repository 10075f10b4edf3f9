import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import type { createActivities } from '../activities';
import { preflightRejected } from '../plan/messages';
import { checkPlanRules } from '../plan/rules';
import type { FanoutResult, RunStatus } from '../plan/types';
import { PREFLIGHT_UNIT_ID } from '../plan/types';
import { resolveUnitSettings } from '../plan/unit-settings';
import { workflowNowIso } from './clock';
import { registerRunHandlers } from './handlers';
import { buildProgress, renderDetails } from './progress';
import type { CancelCause, UnitOutcome } from './run-state';
import { RunState } from './run-state';
import type { FanoutInput, Progress } from './types';
import { runUnit } from './unit-runner';

const { writeRunSummary, verifyArtifacts } = proxyActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '2m',
  retry: { maximumAttempts: 5, initialInterval: '1s', maximumInterval: '10s' },
});

interface Completion {
  readonly unitId: string;
  readonly outcome: UnitOutcome;
}

/**
 * Runs a plan's units as agents over one checkout (SPEC §3–§5). Guarantees: a unit starts only
 * after its dependencies succeeded and while fewer than `max_workers` run; every unit ends with
 * exactly one terminal event; the summary files are written for every run that started; a
 * succeeded run returns the result, a failed one fails with the result in its details, a
 * cancelled one stops every agent and ends Cancelled.
 */
export async function fanoutWorkflow(input: FanoutInput): Promise<FanoutResult> {
  const { plan, repo } = input;
  const { workflowId, runId } = workflowInfo();
  const rejection = checkPlanRules(plan);
  if (rejection !== undefined) throw rejectedRun(workflowId, runId, preflightRejected(rejection));

  const state = new RunState(plan);
  const completions: Completion[] = [];
  const scopes = new Map<string, CancellationScope>();
  const cancelCauses = new Map<string, CancelCause>();
  let phase: Progress['state'] = 'running';
  let unexpected: Error | undefined;

  const result = (status: RunStatus): FanoutResult => ({
    workflow_id: workflowId,
    run_id: runId,
    status,
    events: [...state.events],
    units: state.unitResults(),
    ...(input.retryOf === undefined ? {} : { retry_of: input.retryOf.workflowId }),
  });
  registerRunHandlers({
    state,
    phase: () => phase,
    result,
    cancelLaunchedUnit: (unitId) => {
      cancelCauses.set(unitId, 'request');
      scopes.get(unitId)?.cancel();
    },
  });

  const unitsById = new Map(plan.workUnits.map((unit) => [unit.unitId, unit]));
  const startUnit = (unitId: string): void => {
    const unit = unitsById.get(unitId);
    if (unit === undefined) return;
    const scope = new CancellationScope();
    scopes.set(unitId, scope);
    scope
      .run(() =>
        runUnit({
          runId: workflowId,
          repo,
          namespaceRoot: plan.namespaceRoot,
          unit,
          settings: resolveUnitSettings(plan, unit),
          onAttempt: (attempt) => state.attemptStarting(unitId, attempt),
          onRetry: (failed, attempt, delayMs, retryAt) =>
            state.retrying(unitId, failed, attempt, delayMs, retryAt),
        }),
      )
      .then(
        (outcome) => completions.push({ unitId, outcome }),
        (error: unknown) => {
          unexpected ??= error instanceof Error ? error : new Error(String(error));
        },
      );
  };

  /** The one scheduler loop: launch what may run, then handle exactly one completion, repeat. */
  const schedule = async (): Promise<void> => {
    for (;;) {
      for (const unitId of state.launchReady(workflowNowIso())) startUnit(unitId);
      if (state.scheduler.running.size === 0 && completions.length === 0) return;
      if (completions.length === 0) {
        setCurrentDetails(renderDetails(buildProgress(state, phase)));
        await condition(() => completions.length > 0 || unexpected !== undefined);
      }
      if (unexpected !== undefined) throw unexpected;
      const next = completions.shift() as Completion;
      const cause = cancelCauses.get(next.unitId) ?? (state.isRunCancelled ? 'run' : 'policy');
      for (const unitId of state.settle(next.unitId, next.outcome, cause)) scopes.get(unitId)?.cancel();
    }
  };

  let cancellation: Error | undefined;
  try {
    await reuseEarlierSuccesses(state, input);
    await schedule();
  } catch (error) {
    if (!isCancellation(error)) throw error;
    cancellation = error as Error;
    phase = 'cancelling';
    state.cancelRun();
    // Unit scopes are children of the cancelled root scope: their agents are being stopped.
    await CancellationScope.nonCancellable(schedule);
  }

  const status = state.finish(workflowNowIso());
  phase = status;
  await CancellationScope.nonCancellable(() =>
    writeRunSummary({ ...summaryInput(state, repo), retryOf: input.retryOf?.workflowId }),
  );
  setCurrentDetails(renderDetails(buildProgress(state, phase)));
  await condition(allHandlersFinished);

  if (cancellation !== undefined) throw cancellation;
  const final = result(status);
  if (status === 'succeeded') return final;
  throw ApplicationFailure.create({
    type: 'RunFailed',
    nonRetryable: true,
    message: failureMessage(final),
    details: [final],
  });
}

/** Units the retried run finished whose evidence is still intact on disk are not run again. */
async function reuseEarlierSuccesses(state: RunState, input: FanoutInput): Promise<void> {
  const retryOf = input.retryOf;
  if (retryOf === undefined) return;
  const known = Object.entries(retryOf.succeeded).filter(([unitId]) => state.has(unitId));
  const intact = new Set(
    await verifyArtifacts({
      repo: input.repo,
      namespaceRoot: state.plan.namespaceRoot,
      units: Object.fromEntries(known.map(([unitId, earlier]) => [unitId, earlier.artifacts])),
    }),
  );
  for (const unit of state.plan.workUnits) {
    const earlier = retryOf.succeeded[unit.unitId];
    if (earlier !== undefined && intact.has(unit.unitId))
      state.reuse(unit.unitId, earlier, retryOf.workflowId);
  }
}

function rejectedRun(workflowId: string, runId: string, error: string): ApplicationFailure {
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

function summaryInput(
  state: RunState,
  repo: string,
): Parameters<ReturnType<typeof createActivities>['writeRunSummary']>[0] {
  return {
    repo,
    namespaceRoot: state.plan.namespaceRoot,
    evidencePattern: state.plan.evidence.pattern,
    units: state.plan.workUnits.map((unit) => {
      const record = state.view(unit.unitId);
      return {
        unitId: unit.unitId,
        status: record.status,
        error: record.error,
        launched: record.launched,
        evidenceCount: record.artifacts.length,
      };
    }),
  };
}

function failureMessage(result: FanoutResult): string {
  const notOk = Object.entries(result.units).filter(([, unit]) => unit.status !== 'SUCCEEDED');
  const named = notOk.slice(0, 5).map(([id, unit]) => `${id} (${unit.status})`);
  const more = notOk.length > 5 ? `, and ${notOk.length - 5} more` : '';
  return `${notOk.length} of ${Object.keys(result.units).length} units did not succeed: ${named.join(', ')}${more}`;
}
