/**
 * How an execution hands over its run: continue-as-new with compact state while units remain,
 * or, once the run has ended, its result (inline when small, else stored on the host) and the
 * summary files.
 */
import { CancellationScope, makeContinueAsNewFunc, workflowInfo } from '@temporalio/workflow';
import type { FanoutResult, RunStatus } from '../plan/types';
import type { FanoutInput, SegmentRef } from '../contracts/run-types';
import { WORKFLOW_TASK_TIMEOUT } from './history-budget';
import { hostActivities } from './host-activities';
import { summaryInput } from './run-ending';
import type { RunState } from './run-state';
import { INLINE_RESULT_BYTES, storeExecutionSegments, storeResult } from './stored-result';
import { carriedCommits } from './carried-units';
import { finishGit } from './git-finish';
import type { GitIntegration } from './git-integration';
import type { AbandonedAttempts } from './abandoned-attempts';

const { writeRunSummary } = hostActivities;

/** The fan-out workflow's signature, which its next execution is started with. */
type FanoutWorkflow = (input: FanoutInput) => Promise<FanoutResult>;

/** What both ways of ending an execution need. */
export interface ExecutionEnd {
  readonly input: FanoutInput;
  readonly state: RunState;
  /** 1 for the run's first execution. */
  readonly execution: number;
  /** A `workspace: git` run's integration (SPEC §9). */
  readonly integration?: GitIntegration;
  /** A remote run's abandoned attempts (SPEC §10), carried into the next execution. */
  readonly abandoned?: AbandonedAttempts;
}

/** The segments of earlier executions, then this one's: its events and the units it ended. */
async function allSegments({ input, state, execution }: ExecutionEnd): Promise<SegmentRef[]> {
  return [
    ...(input.carried?.segments ?? []),
    ...(await storeExecutionSegments(
      input,
      execution,
      state.events,
      state.unitResults(state.unitsEndedHere),
    )),
  ];
}

/** Stores this execution's part of the run and continues as new from the carried state. */
export async function continueRunAsNew(end: ExecutionEnd): Promise<never> {
  const { input, state, execution, integration, abandoned } = end;
  const segments = await allSegments(end);
  // A retry still merging reused units hands its successes on: the next execution reuses the rest.
  const reusing = integration?.reusing === true;
  const retryOf =
    input.retryOf === undefined
      ? {}
      : { retryOf: reusing ? input.retryOf : { workflowId: input.retryOf.workflowId } };
  const git =
    integration === undefined
      ? {}
      : {
          git: {
            integration: integration.integration,
            commits: carriedCommits(input.plan.workUnits, (id) => state.view(id)),
          },
          ...(reusing ? { reusing: true } : {}),
        };
  return makeContinueAsNewFunc<FanoutWorkflow>({ workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT })({
    plan: input.plan,
    repo: input.repo,
    ...retryOf,
    ...(input.git === undefined ? {} : { git: input.git }),
    carried: { ...state.carry(execution, segments), ...git, ...abandoned?.carry() },
    ...(input.historyEventLimit === undefined ? {} : { historyEventLimit: input.historyEventLimit }),
    ...(input.prefetch === undefined ? {} : { prefetch: input.prefetch }),
  });
}

/**
 * The run's result and its summary files, even while the run is being cancelled. A run of one
 * execution whose result is small keeps it inline; any other is assembled on the host.
 */
export function finalResult(end: ExecutionEnd, status: RunStatus): Promise<FanoutResult> {
  const { input, state, execution } = end;
  const { workflowId, runId } = workflowInfo();
  const retryOf = input.retryOf?.workflowId;
  // SPEC §10: a remote run's summary is pushed to the remote, the worker having no checkout.
  const remote =
    input.git?.remote === undefined
      ? {}
      : { remote: { url: input.git.remote, runId: workflowId, identity: input.git.identity } };
  return CancellationScope.nonCancellable(async (): Promise<FanoutResult> => {
    const git = await finishGit(end, status);
    const header = {
      workflow_id: workflowId,
      run_id: runId,
      status,
      ...(retryOf === undefined ? {} : { retry_of: retryOf }),
      ...(execution > 1 ? { executions: execution } : {}),
      ...(state.reports.warnings.length === 0 ? {} : { warnings: [...state.reports.warnings] }),
      ...(state.reports.outOfBounds.length === 0 ? {} : { out_of_bounds: state.reports.outOfBounds }),
      ...(git === undefined ? {} : { git }),
    };
    const inline: FanoutResult = { ...header, events: [...state.events], units: state.unitResults() };
    if (input.carried === undefined && JSON.stringify(inline).length <= INLINE_RESULT_BYTES) {
      await writeRunSummary({ ...summaryInput(state, input.repo, retryOf, undefined, git), ...remote });
      return inline;
    }
    const unitOrder = input.plan.workUnits.map((unit) => unit.unitId);
    const stored = await storeResult(input, header, await allSegments(end), unitOrder);
    await writeRunSummary({ ...summaryInput(state, input.repo, retryOf, stored.file, git), ...remote });
    return stored.result;
  });
}
