/**
 * Where a remote run's attempt runs (SPEC §10, the hosts design): the workflow, not the server's
 * retry policy, decides where each next try of an agent attempt goes, so an agent that may still
 * live on a silent host is never started on another one before `host_loss_timeout`.
 *
 * - first on the shared queue (any worker; never eagerly on the workflow's own worker);
 * - a try that went silent (heartbeat timeout) or left its agent running, naming its host's
 *   queue: the same attempt is bound to that host (`adopt: true`), which adopts the agent if its
 *   worker comes back before the host counts as lost;
 * - a bound try that no worker of that host picked up in time: the attempt is recorded as
 *   abandoned (the returning host stops that agent) and starts over on the shared queue;
 * - any other non-agent failure: retried on the shared queue after a backoff, until at least
 *   {@link MIN_INFRASTRUCTURE_TRIES} tries and the host-loss time have passed.
 *
 * Agent failures (SPEC §4.2) and cancellations are thrown to the caller unchanged.
 */
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  isCancellation,
  proxyActivities,
  sleep,
} from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time';
import type { AttemptInput, AttemptSuccess, createActivities } from '../activities';
import type { GitRunInput } from '../contracts/git';
import type { AbandonedAttempt } from '../contracts/hosts';
import { DEFAULT_HOST_LOSS_TIMEOUT, attemptOwnerKey } from '../contracts/hosts';
import { isAgentFailureType } from '../errors';
import { attemptDeadlines } from '../plan/deadlines';
import type { UnitSettings } from '../plan/types';
import { workflowNowMs } from './clock';

type Activities = ReturnType<typeof createActivities>;

/** A remote run's infrastructure tries of one attempt before the unit may fail as infrastructure. */
export const MIN_INFRASTRUCTURE_TRIES = 10;
const BACKOFF_FIRST_MS = 1000;
const BACKOFF_MAX_MS = 5000;

export interface Placement {
  /** SPEC §10 `host_loss_timeout` in ms. */
  readonly hostLossMs: number;
  /** Records an attempt given up on a lost host (queryable, carried across continue-as-new). */
  readonly abandon: (attempt: AbandonedAttempt) => void;
}

export interface PlacedAttempt {
  readonly input: AttemptInput;
  readonly settings: UnitSettings;
  readonly summary: string;
  readonly heartbeatTimeoutMs: number;
  readonly placement: Placement;
}

/** A remote run's placement (`git.remote` set), else none: each attempt is one activity with its own retries. */
export function remotePlacement(
  git: GitRunInput | undefined,
  abandoned: { add(attempt: AbandonedAttempt): void },
): { placement?: Placement } {
  if (git?.remote === undefined) return {};
  return {
    placement: {
      hostLossMs: git.hostLossTimeoutMs ?? msToNumber(DEFAULT_HOST_LOSS_TIMEOUT),
      abandon: (attempt) => abandoned.add(attempt),
    },
  };
}

/** Where the next try goes: the shared queue, or bound to one host's queue. */
interface BoundHost {
  readonly queue: string;
  readonly host: string;
}

/** Runs one agent attempt of a remote run to its success, or throws its final failure. */
export async function runPlacedAttempt(placed: PlacedAttempt): Promise<AttemptSuccess> {
  const { input, placement } = placed;
  const owned: AttemptInput = { ...input, ownerKey: attemptOwnerKey(input.unit.unitId, input.attempt) };
  const firstTryAt = workflowNowMs();
  let bound: BoundHost | undefined;
  let failedTries = 0;
  for (;;) {
    try {
      return await tryOn(placed, owned, bound);
    } catch (error) {
      if (isCancellation(error) || isAgentFailure(error)) throw error;
      if (!(error instanceof ActivityFailure)) throw error;
      // A bound try that went silent before its first heartbeat still leaves that host's agent.
      const silentHost =
        hostLeftRunning(error) ?? (bound !== undefined && isTimeout(error, 'HEARTBEAT') ? bound : undefined);
      if (silentHost !== undefined) {
        bound = silentHost;
        continue;
      }
      if (bound !== undefined && isTimeout(error, 'SCHEDULE_TO_START')) {
        placement.abandon({ unitId: input.unit.unitId, attempt: input.attempt, host: bound.host });
        bound = undefined;
        continue;
      }
      failedTries += 1;
      const elapsedMs = workflowNowMs() - firstTryAt;
      if (failedTries >= MIN_INFRASTRUCTURE_TRIES && elapsedMs >= placement.hostLossMs) throw error;
      // A bound try that failed otherwise (its host answered): the agent is not running there any more.
      bound = undefined;
      await sleep(Math.min(BACKOFF_FIRST_MS * 2 ** (failedTries - 1), BACKOFF_MAX_MS));
    }
  }
}

function tryOn(placed: PlacedAttempt, input: AttemptInput, bound: BoundHost | undefined) {
  const common = {
    // The activity enforces the unit's timeout itself, with SPEC's text; this is a backstop.
    startToCloseTimeout: attemptDeadlines(placed.settings).activityMs,
    heartbeatTimeout: placed.heartbeatTimeoutMs,
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: { maximumAttempts: 1 },
  };
  if (bound === undefined) {
    // Eager dispatch would hand every unit to the worker that runs the workflow.
    const shared = proxyActivities<Activities>({ ...common, allowEagerDispatch: false });
    return shared.runAgentAttempt.executeWithOptions({ summary: placed.summary }, [input]);
  }
  const scheduleToStartTimeout = Math.max(1000, placed.placement.hostLossMs - placed.heartbeatTimeoutMs);
  const onHost = proxyActivities<Activities>({ ...common, taskQueue: bound.queue, scheduleToStartTimeout });
  return onHost.runAgentAttempt.executeWithOptions({ summary: `${placed.summary} (on ${bound.host})` }, [
    { ...input, adopt: true },
  ]);
}

function isAgentFailure(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof ApplicationFailure &&
    isAgentFailureType(error.cause.type)
  );
}

function isTimeout(error: ActivityFailure, type: TimeoutFailure['timeoutType']): boolean {
  return error.cause instanceof TimeoutFailure && error.cause.timeoutType === type;
}

/**
 * The host whose agent may still run: a try that went silent (its last heartbeat names the host)
 * or one that left its agent running on purpose (a worker shutdown; its failure names the host).
 */
function hostLeftRunning(error: ActivityFailure): BoundHost | undefined {
  const cause = error.cause;
  if (cause instanceof TimeoutFailure && cause.timeoutType === 'HEARTBEAT') {
    return boundHostIn(firstDetail(cause.lastHeartbeatDetails));
  }
  if (cause instanceof ApplicationFailure && cause.type === 'AgentLeftRunning') {
    return boundHostIn(cause.details?.[0]);
  }
  return undefined;
}

function firstDetail(details: unknown): unknown {
  return Array.isArray(details) ? details[0] : details;
}

function boundHostIn(detail: unknown): BoundHost | undefined {
  if (typeof detail !== 'object' || detail === null) return undefined;
  const { host, hostQueue } = detail as { host?: unknown; hostQueue?: unknown };
  if (typeof hostQueue !== 'string' || hostQueue === '') return undefined;
  return { queue: hostQueue, host: typeof host === 'string' ? host : hostQueue };
}
