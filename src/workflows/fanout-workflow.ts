import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  makeContinueAsNewFunc,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import { preflightRejected } from '../plan/messages';
import { checkPlanRules } from '../plan/rules';
import type { FanoutResult } from '../plan/types';
import { resolveUnitSettings } from '../plan/unit-settings';
import { workflowNowIso } from './clock';
import { registerRunHandlers } from './handlers';
import { hostActivities } from './host-activities';
import {
  DEFAULT_HISTORY_EVENT_LIMIT,
  MIN_HISTORY_EVENT_LIMIT,
  WORKFLOW_TASK_TIMEOUT,
  launchAllowance,
} from './history-budget';
import { buildProgress, renderDetails } from './progress';
import { reuseEarlierSuccesses } from './reuse';
import { failureMessage, rejectedRun, summaryInput } from './run-ending';
import type { CancelCause, UnitOutcome } from './run-state';
import { RunState } from './run-state';
import { INLINE_RESULT_BYTES, storeExecutionSegments, storeResult } from './stored-result';
import type { FanoutInput, Progress, SegmentRef } from '../contracts/run-types';
import { attemptContainment, runUnit } from './unit-runner';

const { writeRunSummary } = hostActivities;

interface Completion {
  readonly unitId: string;
  readonly outcome: UnitOutcome;
}

/** Plans up to this size refresh the Web UI's details on every completion; larger ones less often. */
const DETAILS_EVERY_COMPLETION_UP_TO = 200;

/**
 * Runs a plan's units as agents over one checkout (SPEC §3–§5). Guarantees: a unit starts only
 * after its dependencies succeeded and while fewer than `max_workers` run; every unit ends with
 * exactly one terminal event; the summary files are written for every run that started; a
 * succeeded run returns the result, a failed one fails with the result in its details, a
 * cancelled one stops every agent and ends Cancelled.
 *
 * A large plan runs as a chain of executions (continue-as-new) so no execution's history
 * exceeds its budget (history-budget.ts): once the budget is spent the execution launches
 * nothing more, lets its running agents finish, stores its events and unit results on the host
 * and continues as new with compact state; retries waiting out a delay are carried over.
 */
export async function fanoutWorkflow(input: FanoutInput): Promise<FanoutResult> {
  const { plan, repo, carried } = input;
  const { workflowId, runId } = workflowInfo();
  // A continued execution got the plan from the execution that checked it.
  const rejection = carried === undefined ? checkPlanRules(plan) : undefined;
  if (rejection !== undefined) throw rejectedRun(workflowId, runId, preflightRejected(rejection));

  const execution = (carried?.executions ?? 0) + 1;
  const eventLimit = Math.max(
    MIN_HISTORY_EVENT_LIMIT,
    input.historyEventLimit ?? DEFAULT_HISTORY_EVENT_LIMIT,
  );
  const state = new RunState(plan, carried, input.retryOf?.workflowId);
  const completions: Completion[] = [];
  const scopes = new Map<string, CancellationScope>();
  const cancelCauses = new Map<string, CancelCause>();
  let phase: Progress['state'] = 'running';
  let unexpected: Error | undefined;
  /** Set once the run has ended: what the `result` query answers. */
  const ended: { result?: FanoutResult } = {};

  registerRunHandlers({
    state,
    phase: () => phase,
    result: () => ended.result ?? null,
    cancelLaunchedUnit: (unitId) => {
      cancelCauses.set(unitId, 'request');
      scopes.get(unitId)?.cancel();
    },
  });

  const allowance = (): number => {
    const info = workflowInfo();
    return launchAllowance(
      { events: info.historyLength, bytes: info.historySize },
      state.scheduler.running.size,
      eventLimit,
    );
  };
  const unitsById = new Map(plan.workUnits.map((unit) => [unit.unitId, unit]));
  const containment = attemptContainment(plan);
  const startUnit = (unitId: string, resume?: { attempt: number; retryAt: string }): void => {
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
          mayStartAttempt: () => allowance() > 0,
          ...(resume === undefined ? {} : { resume }),
          containment,
        }),
      )
      .then(
        (outcome) => completions.push({ unitId, outcome }),
        (error: unknown) => {
          unexpected ??= error instanceof Error ? error : new Error(String(error));
        },
      );
  };

  // Rendering the details is O(units): a large plan refreshes them every 1/200th of its units.
  let completionsSinceDetails: number | undefined;
  const detailsEvery = Math.max(1, Math.ceil(plan.workUnits.length / DETAILS_EVERY_COMPLETION_UP_TO));
  const showDetails = (): void => {
    if (completionsSinceDetails === undefined || completionsSinceDetails >= detailsEvery) {
      setCurrentDetails(renderDetails(buildProgress(state, phase)));
      completionsSinceDetails = 0;
    }
  };

  /**
   * The one scheduler loop: launch what may run, then handle exactly one completion, repeat.
   * Returns 'continue' when this execution's history budget is spent and the run must continue
   * as new (no agent running, nothing left to handle), 'done' when nothing can run any more.
   */
  const schedule = async (): Promise<'done' | 'continue'> => {
    for (;;) {
      for (const unitId of state.launchReady(workflowNowIso(), allowance())) startUnit(unitId);
      if (completions.length === 0) {
        const idle = state.scheduler.running.size === 0;
        const mustContinue =
          allowance() === 0 && !state.halted && state.hasUnfinished && state.onlyRetriesWaiting;
        if (mustContinue && allHandlersFinished()) return 'continue';
        if (idle && !mustContinue) return 'done';
        showDetails();
        await condition(
          () => completions.length > 0 || unexpected !== undefined || (mustContinue && allHandlersFinished()),
        );
      }
      if (unexpected !== undefined) throw unexpected;
      const next = completions.shift();
      if (next === undefined) continue;
      if (completionsSinceDetails !== undefined) completionsSinceDetails += 1;
      const cause = cancelCauses.get(next.unitId) ?? (state.isRunCancelled ? 'run' : 'policy');
      for (const unitId of state.settle(next.unitId, next.outcome, cause)) scopes.get(unitId)?.cancel();
    }
  };

  let cancellation: Error | undefined;
  let ending: 'done' | 'continue' = 'done';
  try {
    if (carried === undefined) await reuseEarlierSuccesses(state, input);
    for (const resumed of state.resumedRetries()) startUnit(resumed.unitId, resumed);
    ending = await schedule();
  } catch (error) {
    if (!isCancellation(error)) throw error;
    cancellation = error as Error;
    phase = 'cancelling';
    state.cancelRun();
    // Unit scopes are children of the cancelled root scope: their agents are being stopped.
    await CancellationScope.nonCancellable(schedule);
  }

  /** The segments of earlier executions, then this one's: its events and the units it ended. */
  const allSegments = async (): Promise<SegmentRef[]> => [
    ...(carried?.segments ?? []),
    ...(await storeExecutionSegments(repo, execution, state.events, state.unitResults(state.unitsEndedHere))),
  ];

  if (ending === 'continue' && cancellation === undefined) {
    const segments = await allSegments();
    const retryOf = input.retryOf === undefined ? {} : { retryOf: { workflowId: input.retryOf.workflowId } };
    return makeContinueAsNewFunc<typeof fanoutWorkflow>({ workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT })({
      plan,
      repo,
      ...retryOf,
      carried: state.carry(execution, segments),
      ...(input.historyEventLimit === undefined ? {} : { historyEventLimit: input.historyEventLimit }),
    });
  }

  const status = state.finish(workflowNowIso());
  const retryOf = input.retryOf?.workflowId;
  const final = await CancellationScope.nonCancellable(async (): Promise<FanoutResult> => {
    const header = {
      workflow_id: workflowId,
      run_id: runId,
      status,
      ...(retryOf === undefined ? {} : { retry_of: retryOf }),
      ...(execution > 1 ? { executions: execution } : {}),
      ...(state.outOfBounds.length === 0 ? {} : { out_of_bounds: state.outOfBounds }),
    };
    const inline: FanoutResult = { ...header, events: [...state.events], units: state.unitResults() };
    if (carried === undefined && JSON.stringify(inline).length <= INLINE_RESULT_BYTES) {
      await writeRunSummary(summaryInput(state, repo, retryOf));
      return inline;
    }
    const unitOrder = plan.workUnits.map((unit) => unit.unitId);
    const stored = await storeResult(repo, header, await allSegments(), unitOrder);
    await writeRunSummary(summaryInput(state, repo, retryOf, stored.file));
    return stored.result;
  });
  ended.result = final;
  phase = status;
  setCurrentDetails(renderDetails(buildProgress(state, phase)));
  await condition(allHandlersFinished);

  if (cancellation !== undefined) throw cancellation;
  if (status === 'succeeded') return final;
  throw ApplicationFailure.create({
    type: 'RunFailed',
    nonRetryable: true,
    message: failureMessage(state),
    details: [final],
  });
}
