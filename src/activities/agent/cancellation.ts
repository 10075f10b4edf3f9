/**
 * What a cancellation means for a running agent. The SDK cancels an activity for several reasons
 * (see the module comment of `@temporalio/activity`); only some of them mean "stop the agent":
 *
 * | cancellation (reason / details)          | the agent is | because |
 * |------------------------------------------|--------------|---------|
 * | CANCELLED / `cancelRequested`            | stopped      | the workflow cancelled the unit or the run |
 * | RESET / `reset`                          | stopped      | the activity starts over from its first attempt, which never adopts |
 * | WORKER_SHUTDOWN / `workerShutdown`       | left running | the worker stops; the retry adopts the agent on another worker |
 * | TIMED_OUT / `timedOut`                   | left running | the server gave this attempt up (missed heartbeats); its retry adopts the agent |
 * | NOT_FOUND / `notFound`                   | left running | as above, while the run is open (the server is asked) |
 * | NOT_FOUND, TIMED_OUT of a closed run     | stopped      | the run was terminated, reset or timed out: no try will ever adopt it |
 * | PAUSED / `paused`                        | left running | the attempt resumes, and adopts, when the activity is unpaused |
 * | anything else                            | stopped      | the behaviour before adoption existed |
 *
 * Stopping an agent whose attempt the server already retried would make the adopting attempt see
 * it die by SIGTERM and report a failure the agent never had; leaving one whose run closed would
 * let it run, unwatched, until its supervisor's deadline (SPEC §8.3).
 */

import { CancelledFailure, type Context, type Info } from '@temporalio/activity';
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import type { InfrastructureFailureType } from '../../errors';
import type { RunOpenProbe } from './run-open';

const RELEASING_REASONS: ReadonlySet<string> = new Set([
  'WORKER_SHUTDOWN',
  'TIMED_OUT',
  'NOT_FOUND',
  'PAUSED',
]);

/** The cancellation the activity rethrows once the agent is dealt with. */
export function cancellationOf(context: Pick<Context, 'cancellationSignal'>): CancelledFailure {
  const reason: unknown = context.cancellationSignal.reason;
  return reason instanceof CancelledFailure ? reason : new CancelledFailure('CANCELLED');
}

/** The SDK's reason text, e.g. `WORKER_SHUTDOWN`. */
export function cancellationReason(context: Pick<Context, 'cancellationSignal'>): string {
  return cancellationOf(context).message;
}

/** True when the current cancellation leaves the agent running for a later attempt to adopt. */
export function cancellationLeavesAgentRunning(
  context: Pick<Context, 'cancellationSignal' | 'cancellationDetails'>,
): boolean {
  const details = context.cancellationDetails;
  if (details?.cancelRequested || details?.reset) return false;
  if (details?.workerShutdown || details?.timedOut || details?.notFound || details?.paused) return true;
  return RELEASING_REASONS.has(cancellationReason(context));
}

/** Cancellations by which the server gave this attempt up: they also come when its run has closed. */
const SERVER_GAVE_UP: ReadonlySet<string> = new Set(['TIMED_OUT', 'NOT_FOUND']);

function serverGaveUp(context: Pick<Context, 'cancellationSignal' | 'cancellationDetails'>): boolean {
  const details = context.cancellationDetails;
  return (
    details?.notFound === true ||
    details?.timedOut === true ||
    SERVER_GAVE_UP.has(cancellationReason(context))
  );
}

/**
 * Whether the current cancellation leaves the agent running: {@link cancellationLeavesAgentRunning},
 * except when the server gave the attempt up and `isRunOpen` says its run is closed. A run whose
 * state the server cannot tell is taken as open: the supervisor's deadline is the last resort.
 */
export async function agentOutlivesCancellation(
  context: Pick<Context, 'cancellationSignal' | 'cancellationDetails'> & {
    readonly info: Pick<Info, 'workflowExecution'>;
  },
  isRunOpen: RunOpenProbe | undefined,
): Promise<boolean> {
  if (!cancellationLeavesAgentRunning(context)) return false;
  const execution = context.info.workflowExecution;
  if (isRunOpen === undefined || execution === undefined || !serverGaveUp(context)) return true;
  return (await isRunOpen(execution)) !== false;
}

function infrastructureFailure(
  type: InfrastructureFailureType,
  message: string,
  expected = false,
): ApplicationFailure {
  return ApplicationFailure.create({
    message,
    type,
    nonRetryable: false,
    // Benign: logged at debug level and not counted as a failure in metrics.
    ...(expected ? { category: ApplicationFailureCategory.BENIGN } : {}),
  });
}

/** The retryable failure of an attempt that left its agent running on purpose (an expected event). */
export function agentLeftRunning(pid: number, reason: string): ApplicationFailure {
  return infrastructureFailure(
    'AgentLeftRunning',
    `Agent pid ${pid} left running for adoption by the next attempt (cancelled: ${reason})`,
    true,
  );
}

/** The retryable failure of an attempt whose agent ended without a recorded status. */
export function agentStatusLost(pid: number): ApplicationFailure {
  return infrastructureFailure(
    'AgentStatusLost',
    `Agent pid ${pid} ended but its exit status was not recorded (its supervisor died); the attempt starts over`,
  );
}
