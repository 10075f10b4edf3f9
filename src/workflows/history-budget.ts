/**
 * How much a run may do in one workflow execution before it continues as new. Temporal warns at
 * 10,240 events and fails an execution at 51,200; we stay under the warning so a plan of any size
 * keeps every execution small and quick to replay.
 *
 * The budget is spent before launches, not after: each launched unit reserves the events it may
 * still add (its activity's started and closed events, a share of workflow tasks, a cancel), so
 * when the run stops launching, the units already running can always finish in this execution.
 */
export const DEFAULT_HISTORY_EVENT_LIMIT = 10_240;

/**
 * The smallest event limit an execution accepts: below it the closing reserve would leave no room
 * for a single launch and the run would continue as new forever.
 */
export const MIN_HISTORY_EVENT_LIMIT = 300;

/** Upper bound of the events one launched unit adds: scheduled, started, closed, cancel, workflow tasks. */
export const EVENTS_PER_LAUNCH = 8;

/**
 * A git unit adds its merge into the integration (SPEC §9): one more activity's scheduled, started
 * and closed events and the workflow tasks around them.
 */
export const EVENTS_PER_GIT_LAUNCH = EVENTS_PER_LAUNCH + 6;

/** Kept for the end of an execution: storing segments, the summary, the result, updates. */
const CLOSING_RESERVE = 200;

/** History bytes per launched unit (its activity input and result), generously. */
const BYTES_PER_LAUNCH = 8 * 1024;

/** Temporal warns at 10 MB of history; stay under it. */
const HISTORY_BYTES_LIMIT = 8 * 1024 * 1024;

export interface HistoryUse {
  /** Events in history as of the current workflow task (`workflowInfo().historyLength`). */
  readonly events: number;
  /** Bytes of history (`workflowInfo().historySize`); 0 when the server does not say. */
  readonly bytes: number;
}

/** How many more units this execution may launch, given the units it is still running. */
export function launchAllowance(
  use: HistoryUse,
  running: number,
  eventLimit: number,
  perLaunch: number = EVENTS_PER_LAUNCH,
): number {
  const byEvents = Math.floor((eventLimit - CLOSING_RESERVE - use.events - running * perLaunch) / perLaunch);
  const byBytes = Math.floor(
    (HISTORY_BYTES_LIMIT - use.bytes - running * BYTES_PER_LAUNCH) / BYTES_PER_LAUNCH,
  );
  return Math.max(0, Math.min(byEvents, byBytes));
}

/**
 * A worker that lost the workflow from its cache (a restart) replays the whole execution in one
 * workflow task. At 10,000 events that takes several seconds on a busy 2-core host, more than
 * Temporal's default 10 s task timeout allows with margin; a task that timed out would be retried
 * and replayed again. Set on start and on every continue-as-new.
 */
export const WORKFLOW_TASK_TIMEOUT = '30s';
