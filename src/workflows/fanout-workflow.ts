import {
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  isCancellation,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import { preflightRejected } from '../plan/messages';
import { checkPlanRules } from '../plan/rules';
import type { FanoutResult } from '../plan/types';
import { workflowNowIso } from './clock';
import { continueRunAsNew, finalResult, type ExecutionEnd } from './execution-end';
import { registerRunHandlers } from './handlers';
import { DEFAULT_HISTORY_EVENT_LIMIT, MIN_HISTORY_EVENT_LIMIT } from './history-budget';
import { buildProgress, renderDetails } from './progress';
import { reuseEarlierSuccesses } from './reuse';
import { GitIntegration } from './git-integration';
import { AbandonedAttempts } from './abandoned-attempts';
import { remotePlacement } from './placed-attempt';
import { failureMessage, rejectedRun } from './run-ending';
import { RunState } from './run-state';
import { SchedulerLoop } from './scheduler-loop';
import { showInVisibility } from './visibility';
import type { FanoutInput, Progress } from '../contracts/run-types';

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
  const { plan, carried } = input;
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
  let phase: Progress['state'] = 'running';
  /** Set once the run has ended: what the `result` query answers. */
  const ended: { result?: FanoutResult } = {};
  const integration =
    input.git === undefined
      ? undefined
      : new GitIntegration({ repo: input.repo, runId: workflowId, git: input.git }, carried?.git);
  const abandoned = AbandonedAttempts.registered(carried?.abandoned);
  const loop = new SchedulerLoop({
    input,
    state,
    eventLimit,
    phase: () => phase,
    ...(integration === undefined ? {} : { integration }),
    ...remotePlacement(input.git, abandoned),
  });

  registerRunHandlers({
    state,
    phase: () => phase,
    result: () => ended.result ?? null,
    cancelLaunchedUnit: (unitId) => loop.cancelLaunchedUnit(unitId),
  });

  let cancellation: Error | undefined;
  let ending: 'done' | 'continue' = 'done';
  try {
    if (carried === undefined || carried.reusing === true) {
      await reuseEarlierSuccesses(state, input, integration);
    }
    for (const resumed of state.resumedRetries()) loop.startUnit(resumed.unitId, resumed);
    ending = await loop.run();
  } catch (error) {
    if (!isCancellation(error)) throw error;
    cancellation = error as Error;
    phase = 'cancelling';
    state.cancelRun();
    // Unit scopes are children of the cancelled root scope: their agents are being stopped.
    await CancellationScope.nonCancellable(() => loop.run());
  }

  const end: ExecutionEnd = {
    input,
    state,
    execution,
    ...(integration === undefined ? {} : { integration }),
    abandoned,
  };
  if (ending === 'continue' && cancellation === undefined) return continueRunAsNew(end);

  const status = state.finish(workflowNowIso());
  const final = await finalResult(end, status);
  ended.result = final;
  phase = status;
  setCurrentDetails(renderDetails(buildProgress(state, phase)));
  showInVisibility(state, status);
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
