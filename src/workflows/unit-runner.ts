/**
 * One unit's coroutine: its agent attempts with the plan's retries and backoff (SPEC §4.4), each
 * attempt one activity. It decides nothing about other units; it reports an outcome.
 */
import {
  ActivityCancellationType,
  condition,
  isCancellation,
  proxyActivities,
  sleep,
} from '@temporalio/workflow';
import type { RetryPolicy as RetryOptions } from '@temporalio/workflow';
import type { AttemptInput, ObservedChanges, PlanAreas, SlotHandover, createActivities } from '../activities';
import type { GitAttempt } from '../contracts/git';
import { AGENT_FAILURE_TYPES, NEVER_RETRIED, SLOT_NOT_HANDED_OVER } from '../errors';
import { agentFailure, handedOver, isSlotNotHandedOver, lostAttempt } from './attempt-results';
import { attemptDeadlines } from '../plan/deadlines';
import { infrastructureFailure } from '../plan/outcome-messages';
import type { Plan, RetryPolicy, UnitSettings, WorkUnit } from '../plan/types';
import { workflowNowIso, workflowNowMs } from './clock';
import type { UnitOutcome, UnitRunEnd } from './unit-record';
import { runPlacedAttempt, type Placement } from './placed-attempt';

type Activities = ReturnType<typeof createActivities>;

/**
 * A lost worker shows up as a missed heartbeat; the attempt then continues on another worker.
 * The agent heartbeats every second, so 10 s tolerates a busy host without waiting long.
 */
export const AGENT_HEARTBEAT_TIMEOUT_MS = 10_000;

/**
 * Infrastructure retries (a worker died or was restarted, a host-side error) are bounded and never
 * consume an agent attempt; agent failures are non-retryable here and retried by {@link runUnit}
 * instead. Each worker restart during one long agent costs one of these tries (the next worker
 * adopts the agent), so the bound leaves room for a rolling restart or two of a worker fleet.
 */
const INFRASTRUCTURE_RETRY: RetryOptions = {
  maximumAttempts: 10,
  initialInterval: '1s',
  backoffCoefficient: 2,
  maximumInterval: '15s',
  nonRetryableErrorTypes: [...AGENT_FAILURE_TYPES, SLOT_NOT_HANDED_OVER],
};

/** The attempt activity of one unit, with the unit's own start-to-close deadline. */
function attemptActivity(settings: UnitSettings) {
  return proxyActivities<Activities>({
    // The activity enforces the unit's timeout itself, with SPEC's text; this is a backstop.
    startToCloseTimeout: attemptDeadlines(settings).activityMs,
    heartbeatTimeout: AGENT_HEARTBEAT_TIMEOUT_MS,
    // The workflow learns a unit is cancelled only once its agent's process group is gone.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: INFRASTRUCTURE_RETRY,
  }).runAgentAttempt;
}

export interface UnitRunContext {
  readonly runId: string;
  readonly repo: string;
  readonly namespaceRoot: string;
  readonly unit: WorkUnit;
  readonly settings: UnitSettings;
  readonly onAttempt: (attempt: number) => void;
  readonly onRetry: (
    failed: { exitCode: number; error: string },
    attempt: number,
    delayMs: number,
    retryAt: string,
  ) => void;
  /**
   * False while the execution's history budget is spent: a retry then waits (RETRYING) and is
   * carried into the next execution instead of starting its attempt here.
   */
  readonly mayStartAttempt: () => boolean;
  /** A retry carried over from the previous execution: its next attempt, and when it is due. */
  readonly resume?: { readonly attempt: number; readonly retryAt: string };
  /** The plan's overlap mode and every unit's areas (SPEC §8.2, §8.5), passed to each attempt. */
  readonly containment?: PlanAreas;
  /** A git run (SPEC §9): what the attempt starting now merges, from the run's state at that moment. */
  readonly gitAttempt?: () => GitAttempt;
  /** A remote run (SPEC §10): the workflow places each try of an attempt itself (placed-attempt.ts). */
  readonly placement?: Placement;
  /**
   * A run started with `--prefetch N`: every attempt hands its slot over when it succeeds. With a
   * `ticket` (prefetched-units.ts), the unit's first attempt waits on the worker for a slot, and
   * `onStartedItself` is called when that attempt ends after starting its agent (other than by a
   * cancellation).
   */
  readonly handover?: {
    readonly onFailure: SlotHandover['onFailure'];
    readonly ticket?: number;
    readonly ticketsIssued: () => number;
    readonly onStartedItself: (inTicketOrder: boolean) => void;
  };
}

/** Runs the unit's attempts until one succeeds, the attempts are used up, or the scope is cancelled. */
export async function runUnit(context: UnitRunContext): Promise<UnitRunEnd> {
  const { unit, settings } = context;
  const summary = `${unit.unitId}: ${firstLine(unit.description)}`;
  const resume = context.resume;
  const placement = context.placement;
  const runAttempt = attemptRunner(settings, summary, placement);
  if (resume !== undefined) {
    const dueInMs = Date.parse(resume.retryAt) - workflowNowMs();
    if (!(await waitForAttempt(dueInMs, context.mayStartAttempt))) {
      return { kind: 'cancelled', finishedAt: workflowNowIso() };
    }
  }
  // Out-of-bounds changes of every attempt count, not only the last one's (SPEC §8.2).
  const strays: NonNullable<ObservedChanges['outOfBounds']>[number][] = [];
  const observed = (seen: ObservedChanges): ObservedChanges => {
    strays.push(...(seen.outOfBounds ?? []));
    return {
      ...(seen.changes ? { changes: seen.changes } : {}),
      ...(strays.length > 0 ? { outOfBounds: strays } : {}),
    };
  };
  const handover = context.handover;
  for (let attempt = resume?.attempt ?? 1; ; attempt += 1) {
    const waitsForSlot = handover?.ticket !== undefined && attempt === 1 && resume === undefined;
    if (!waitsForSlot) context.onAttempt(attempt);
    try {
      const result = await runAttempt(attemptInput(context, attempt, waitsForSlot));
      if (waitsForSlot) handover.onStartedItself(result.startedInTicketOrder === true);
      if (context.gitAttempt !== undefined && result.git === undefined) {
        return withoutOutputCommit(unit.unitId, result.startedAt);
      }
      return {
        kind: 'succeeded',
        artifacts: result.artifacts,
        startedAt: result.startedAt,
        finishedAt: result.finishedAt,
        ...(result.containment === undefined ? {} : { containment: result.containment }),
        observed: observed(result),
        ...(result.git === undefined ? {} : { commit: result.git.output }),
        ...(placement === undefined || result.host === undefined ? {} : { host: result.host }),
        ...handedOver(result),
      };
    } catch (error) {
      if (isCancellation(error)) return { kind: 'cancelled', finishedAt: workflowNowIso() };
      if (waitsForSlot && isSlotNotHandedOver(error)) return { kind: 'returned' };
      const agentFailed = agentFailure(error);
      // An agent failure means the attempt had its slot; a lost attempt may never have had one.
      if (waitsForSlot && agentFailed !== undefined)
        handover.onStartedItself(agentFailed.startedInTicketOrder === true);
      const failure = agentFailed ?? lostAttempt(unit.unitId, error);
      const seen = observed(failure);
      const retriable = failure.type !== undefined && !NEVER_RETRIED.has(failure.type);
      if (!retriable || attempt >= settings.retry.maxAttempts) {
        return {
          kind: 'failed',
          exitCode: failure.exitCode,
          error: failure.error,
          startedAt: failure.startedAt,
          finishedAt: failure.finishedAt,
          ...(failure.containment === undefined ? {} : { containment: failure.containment }),
          observed: seen,
          ...(placement === undefined || failure.host === undefined ? {} : { host: failure.host }),
          ...handedOver(failure),
        };
      }
      const delayMs = retryDelayMs(settings.retry, attempt);
      context.onRetry(failure, attempt, delayMs, new Date(workflowNowMs() + delayMs).toISOString());
      if (!(await waitForAttempt(delayMs, context.mayStartAttempt))) {
        return { kind: 'cancelled', finishedAt: workflowNowIso() };
      }
    }
  }
}

/** The activity input of one agent attempt of the unit. */
function attemptInput(context: UnitRunContext, attempt: number, waitForSlot: boolean): AttemptInput {
  const { handover } = context;
  return {
    runId: context.runId,
    repo: context.repo,
    namespaceRoot: context.namespaceRoot,
    unit: context.unit,
    settings: context.settings,
    attempt,
    ...(context.containment === undefined ? {} : { containment: context.containment }),
    ...(context.gitAttempt === undefined ? {} : { git: context.gitAttempt() }),
    ...(handover === undefined
      ? {}
      : {
          handover: {
            waitForSlot,
            onFailure: handover.onFailure,
            ...(waitForSlot ? { ticket: handover.ticket } : {}),
            ticketsIssued: handover.ticketsIssued(),
          },
        }),
  };
}

/** How one agent attempt runs: one activity with server-side infrastructure retries, or placed (remote run). */
function attemptRunner(settings: UnitSettings, summary: string, placement: Placement | undefined) {
  if (placement === undefined) {
    const runAgentAttempt = attemptActivity(settings);
    return (input: AttemptInput) => runAgentAttempt.executeWithOptions({ summary }, [input]);
  }
  return (input: AttemptInput) =>
    runPlacedAttempt({ input, settings, summary, heartbeatTimeoutMs: AGENT_HEARTBEAT_TIMEOUT_MS, placement });
}

/** Waits out a retry delay, then for the history budget; false when the unit was cancelled meanwhile. */
async function waitForAttempt(delayMs: number, mayStart: () => boolean): Promise<boolean> {
  try {
    if (delayMs > 0) await sleep(delayMs);
    if (!mayStart()) await condition(mayStart);
    return true;
  } catch (error) {
    if (isCancellation(error)) return false;
    throw error;
  }
}

/** Delay before attempt `failedAttempt + 1`: initial × backoff^(n−1), capped at max_interval. */
export function retryDelayMs(retry: RetryPolicy, failedAttempt: number): number {
  const delay = retry.initialInterval.ms * Math.pow(retry.backoff, failedAttempt - 1);
  return Math.min(Math.round(delay), retry.maxInterval.ms);
}

/** A git attempt that succeeded without naming its output commit: a worker of another version. */
function withoutOutputCommit(unitId: string, startedAt: string | null): UnitOutcome {
  return {
    kind: 'failed',
    exitCode: 1,
    error: infrastructureFailure(unitId, 'its worker reported no output commit; is every worker up to date?'),
    startedAt,
    finishedAt: workflowNowIso(),
  };
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 100 ? `${line.slice(0, 100)}…` : line;
}

/**
 * Plans up to this many units give every attempt all units' areas; a larger plan would put O(units)
 * bytes into every activity input in history. Without them an attempt checks its directories'
 * resolution against `.git` and the namespace root only (the client checked the rest), and the
 * workflow drops out-of-bounds reports that lie in some unit's area (RunState.settle).
 */
export const AREAS_IN_ATTEMPT_UP_TO = 200;

/**
 * What every attempt of the run needs of the plan for SPEC §8.2 and §8.5, built once per execution
 * (the confinement and `agent.writable` reach it in its unit settings).
 */
export function attemptContainment(plan: Plan): PlanAreas {
  const areas = plan.workUnits.map(({ unitId, allowedDirectories }) => ({ unitId, allowedDirectories }));
  return {
    overlap: plan.overlap,
    ...(areas.length <= AREAS_IN_ATTEMPT_UP_TO ? { areas } : {}),
  };
}
