/**
 * The three deadlines one agent attempt runs under, all derived from the unit's `timeout` and
 * `grace`. Each one is a backstop for the one before it, so their order matters:
 *
 *   follower < supervisor < activity
 *
 * - The **follower** (the activity's own loop) stops the agent at `timeout` after it started, with
 *   SPEC's timeout text; stopping its process group takes at most `grace` more.
 * - The **supervisor** (the agent's parent, which outlives workers) stops an agent nobody stopped:
 *   its workers are all gone. It waits for the follower's stop to have finished, and a margin more.
 * - The **activity**'s start-to-close timeout makes Temporal give up on an attempt whose worker
 *   never reports; it comes after the supervisor so the agent is gone by then.
 *
 * Pure, for the workflow and the activities alike.
 */
import { MAX_DURATION_MS } from './duration';
import type { UnitSettings } from './types';

/** The smallest and largest `timeout` and `grace` a plan may set (SPEC §1 durations), in ms. */
export const ATTEMPT_LIMITS_MS = {
  timeout: { min: 1, max: MAX_DURATION_MS },
  grace: { min: 0, max: MAX_DURATION_MS },
} as const;

/** How long after the follower's stop (timeout plus grace) the supervisor steps in. */
export const SUPERVISOR_MARGIN_MS = 30_000;
/** How long after the follower's stop (timeout plus grace) Temporal gives up on the activity. */
export const ACTIVITY_MARGIN_MS = 60_000;

export interface AttemptDeadlines {
  /** After the agent's start: the follower stops the agent as timed out. */
  readonly followerMs: number;
  /** After the agent's start: the supervisor stops an agent that is still running. */
  readonly supervisorMs: number;
  /** The activity's start-to-close timeout. */
  readonly activityMs: number;
}

export function attemptDeadlines(settings: Pick<UnitSettings, 'timeout' | 'grace'>): AttemptDeadlines {
  const stoppedMs = settings.timeout.ms + settings.grace.ms;
  return {
    followerMs: settings.timeout.ms,
    supervisorMs: stoppedMs + SUPERVISOR_MARGIN_MS,
    activityMs: stoppedMs + ACTIVITY_MARGIN_MS,
  };
}
