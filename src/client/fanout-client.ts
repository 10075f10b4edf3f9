/**
 * The typed client API: start a run, wait for its result, read its progress, cancel a unit or the
 * run. The CLI commands are thin layers over these functions.
 */
import {
  Client,
  Connection,
  WorkflowFailedError,
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, type SearchAttributePair } from '@temporalio/common';
import type { FanoutResult, Plan } from '../plan/types';
import { cancelUnitUpdate, progressQuery, resultQuery } from '../workflows/messages';
import type { CancelUnitAnswer, FanoutInput, Progress } from '../contracts/run-types';
import type { fanoutWorkflow } from '../workflows/fanout-workflow';
import { WORKFLOW_TASK_TIMEOUT } from '../workflows/history-budget';
import type { ConnectionSecurity } from '../contracts/connection';
import type { GitRunInput } from '../contracts/git';
import {
  FANOUT_PLAN,
  FANOUT_REPO,
  FANOUT_STATUS,
  FANOUT_UNITS_DONE,
  FANOUT_UNITS_TOTAL,
} from '../contracts/search-attributes';
import { securityFlagsInUse } from './connection/connection-security';
import { UsageError } from './errors';
import { ServerUnavailable } from './connection/server-errors';
import { loadStoredResult } from './run/stored-result';
import { isGitPath } from '../contracts/run-store-refs';

export type FanoutHandle = WorkflowHandle<typeof fanoutWorkflow>;

export interface ConnectOptions {
  readonly address: string;
  readonly namespace: string;
  readonly security?: ConnectionSecurity;
}

/**
 * One page of a large run's history (an execution's plan-sized input, segment inputs) can pass
 * gRPC's default 4 MiB receive limit; Temporal itself allows histories of up to 50 MB.
 */
export const LARGE_HISTORY_CHANNEL_ARGS = { 'grpc.max_receive_message_length': 64 * 1024 * 1024 };

/** Connects to Temporal; a server that does not answer becomes a {@link ServerUnavailable}. */
export async function connectClient(options: ConnectOptions): Promise<Client> {
  try {
    const connection = await Connection.connect({
      address: options.address,
      connectTimeout: '5s',
      channelArgs: LARGE_HISTORY_CHANNEL_ARGS,
      ...options.security,
    });
    return new Client({ connection, namespace: options.namespace });
  } catch (error) {
    throw new ServerUnavailable(options.address, error, securityFlagsInUse(options.security ?? {}));
  }
}

export interface StartRunOptions {
  readonly plan: Plan;
  readonly repo: string;
  readonly taskQueue: string;
  readonly workflowId: string;
  /** Allow reusing the id of a run that has closed (never of one that runs). */
  readonly allowRestartClosed?: boolean;
  /** Set by `retry`: the run this one retries and what succeeded there. */
  readonly retryOf?: FanoutInput['retryOf'];
  /** Set for `workspace: git` (SPEC §9): base, branch and commit identity, resolved by the client. */
  readonly git?: GitRunInput;
  /** Events per execution before the run continues as new (tests lower it; default 10,240). */
  readonly historyEventLimit?: number;
  /**
   * `--prefetch N`: units whose first attempt may wait on a worker for a free slot. Absent: the
   * default, {@link defaultPrefetch}; 0: none.
   */
  readonly prefetch?: number;
}

/** Units that wait for a slot unless the run says otherwise: enough to refill slots between tasks. */
export const DEFAULT_PREFETCH = 16;

/** The prefetch of a run that does not set one: {@link DEFAULT_PREFETCH}, at most `max_workers`. */
export function defaultPrefetch(plan: Plan): number {
  return Math.min(DEFAULT_PREFETCH, plan.maxWorkers);
}

/** Starts a run. Refused (WorkflowExecutionAlreadyStartedError) when the id is taken. */
export async function startRun(client: Client, options: StartRunOptions): Promise<FanoutHandle> {
  const { plan } = options;
  const input: FanoutInput = {
    plan,
    repo: options.repo,
    ...(options.retryOf === undefined ? {} : { retryOf: options.retryOf }),
    ...(options.git === undefined ? {} : { git: options.git }),
    ...(options.historyEventLimit === undefined ? {} : { historyEventLimit: options.historyEventLimit }),
    // Set even when 0, so that a retry keeps it (retry-run.ts). A git unit starts in a working
    // tree of its own: no slot is handed over there.
    prefetch: options.prefetch ?? (options.git === undefined ? defaultPrefetch(plan) : 0),
  };
  refuseOversizedInput(input);
  const start = (searchable: boolean) =>
    client.workflow.start<typeof fanoutWorkflow>('fanoutWorkflow', {
      workflowId: options.workflowId,
      taskQueue: options.taskQueue,
      args: [input],
      workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      workflowIdReusePolicy: options.allowRestartClosed
        ? WorkflowIdReusePolicy.ALLOW_DUPLICATE
        : WorkflowIdReusePolicy.REJECT_DUPLICATE,
      staticSummary: `agent-fanout: ${plan.name} (${plan.workUnits.length} units, max_workers ${plan.maxWorkers})`,
      staticDetails: [
        `**Plan** ${plan.name}`,
        `**Units** ${plan.workUnits.length} · **max_workers** ${plan.maxWorkers} · **on_failure** ${plan.onFailure} · **overlap** ${plan.overlap}`,
        ...(options.repo === '' ? [] : [`**Repo** ${options.repo}`]),
        ...(options.git === undefined ? [] : [gitDetails(options.git)]),
      ].join('\n\n'),
      // A remote run without a checkout is listed under its remote (SPEC §10).
      ...(searchable
        ? { typedSearchAttributes: runSearchAttributes(plan, options.repo || (options.git?.remote ?? '')) }
        : {}),
      memo: {
        plan_name: plan.name,
        repo: options.repo,
        units: plan.workUnits.length,
        ...(options.retryOf === undefined ? {} : { retry_of: options.retryOf.workflowId }),
        // `status` names a git run's branch from here, without reading the run's (plan-sized) input.
        ...(options.git === undefined ? {} : { git_branch: options.git.branch, git_base: options.git.base }),
        // `logs` reads a remote run's evidence refs from here (SPEC §10).
        ...(options.git?.remote === undefined ? {} : { git_remote: options.git.remote }),
      },
    });
  // A server that does not know the attributes refuses the start: run anyway, just not listable.
  return start(true).catch((error: unknown) => {
    if (isUnknownSearchAttribute(error)) return start(false);
    throw error;
  });
}

/** The Web UI's line about a git run: its base, its branch, and `--into`. */
function gitDetails(git: GitRunInput): string {
  const into = git.into === undefined ? '' : ` · **into** ${git.into}`;
  const remote = git.remote === undefined ? '' : ` · **remote** ${git.remote}`;
  return `**Workspace** git · **base** ${git.base.slice(0, 12)} · **branch** ${git.branch}${into}${remote}`;
}

/** What `agent-fanout list` finds a run by (`src/contracts/search-attributes.ts`). */
function runSearchAttributes(plan: Plan, repo: string): SearchAttributePair[] {
  return [
    { key: FANOUT_PLAN, value: plan.name },
    { key: FANOUT_REPO, value: repo },
    { key: FANOUT_STATUS, value: 'running' },
    { key: FANOUT_UNITS_DONE, value: 0 },
    { key: FANOUT_UNITS_TOTAL, value: plan.workUnits.length },
  ];
}

function isUnknownSearchAttribute(error: unknown): boolean {
  // The SDK wraps the server's answer: "Failed to start Workflow", caused by the gRPC error.
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (/no mapping defined for search attribute|search attribute \S+ is not defined/i.test(cause.message))
      return true;
  }
  return false;
}

/**
 * Temporal refuses payloads over 2 MB; a run that continues as new carries its compact state
 * next to the plan (about 5 bytes a unit), so the plan itself must leave room for it.
 */
export const MAX_INPUT_BYTES = 1_500_000;

/** Throws a {@link UsageError} naming the size and the fix when the run's input is too large to start. */
export function refuseOversizedInput(input: FanoutInput): void {
  const bytes = Buffer.byteLength(JSON.stringify(input));
  if (bytes <= MAX_INPUT_BYTES) return;
  const mb = (n: number): string => `${(n / 1_000_000).toFixed(2)} MB`;
  throw new UsageError(
    `the plan is ${mb(bytes)} as workflow input (${input.plan.workUnits.length} units); a run's input must stay under ${mb(MAX_INPUT_BYTES)} ` +
      `because Temporal refuses payloads over 2 MB. Shorten the descriptions (put long instructions in a file in the repo and point the prompt at it) or split the plan into several runs`,
  );
}

/**
 * The run's result however it ended: a failed or rejected run carries it in its failure details,
 * a cancelled one answers the result query.
 */
export async function awaitResult(handle: FanoutHandle): Promise<FanoutResult> {
  const recorded = await awaitRecordedResult(handle);
  if (recorded.result_file === undefined || !isGitPath(recorded.result_file))
    return loadStoredResult(recorded);
  // SPEC §10: a remote run's stored result is on its remote, named in the run's memo.
  const remote = (await handle.describe()).memo?.['git_remote'];
  return loadStoredResult(recorded, typeof remote === 'string' ? remote : undefined);
}

/**
 * The result as the run recorded it: for a large run, only the path and digest of the result
 * file on the worker host (see {@link loadStoredResult}).
 */
export async function awaitRecordedResult(handle: FanoutHandle): Promise<FanoutResult> {
  try {
    return await handle.result();
  } catch (error) {
    if (!(error instanceof WorkflowFailedError)) throw error;
    const cause = error.cause;
    if (
      cause instanceof ApplicationFailure &&
      (cause.type === 'RunFailed' || cause.type === 'PlanRejected')
    ) {
      const details = cause.details?.[0] as FanoutResult | undefined;
      if (details !== undefined) return details;
    }
    if (cause instanceof CancelledFailure) {
      const result = await handle.query(resultQuery);
      if (result !== null) return { ...result, status: 'cancelled' };
    }
    throw error;
  }
}

export async function readProgress(handle: FanoutHandle): Promise<Progress> {
  return handle.query(progressQuery);
}

/** Thrown when the run refuses to cancel a unit (unknown, or already ended); the message says which. */
export class UnitNotCancellable extends Error {
  override readonly name = 'UnitNotCancellable';
}

export async function cancelUnit(handle: FanoutHandle, unitId: string): Promise<CancelUnitAnswer> {
  try {
    return await handle.executeUpdate(cancelUnitUpdate, { args: [unitId] });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure) {
      throw new UnitNotCancellable(error.cause.message);
    }
    throw error;
  }
}
