/**
 * Many hosts (SPEC §10): what the client, the workflow, the worker and the activities share about
 * a `workspace: git` run with `--remote`. Plain data and pure functions only (the workflow imports it).
 */

/** Who a worker is: one host's work directory, and the task queue only its attempts go to. */
export interface HostIdentity {
  /** `<hostname>:<work directory>`, or the worker's `--host`; recorded as a unit's `host`. */
  readonly id: string;
  /** {@link hostQueueName} of the shared queue and this id. */
  readonly queue: string;
  /** The worker's `--workdir` (default `/var/tmp/agent-fanout-<uid>`): clones, working trees, evidence. */
  readonly workdir: string;
}

/** The queue an attempt bound to one host continues on: `<task queue>@<host id>`. */
export function hostQueueName(taskQueue: string, hostId: string): string {
  return `${taskQueue}@${hostId}`;
}

/** SPEC §10 default: how long a silent host's agent is waited for before its attempt starts elsewhere. */
export const DEFAULT_HOST_LOSS_TIMEOUT = '10m';

/** Evidence and logs of a unit's attempts, pushed to the remote (SPEC §10). */
export function evidenceRef(runId: string, unitId: string): string {
  return `refs/fanout/${runId}/evidence/${unitId}`;
}

/** The run's base, pushed by a client that has the commit (`--repo`), so workers can fetch it. */
export function baseRef(runId: string): string {
  return `refs/fanout/${runId}/base`;
}

/** The run's summary files in a remote run: `parallel_development_summary.md`, `DEVELOPMENT_RESULT.md`. */
export function summaryRef(runId: string): string {
  return `refs/fanout/${runId}/summary`;
}

/**
 * An attempt the workflow gave up on after `host_loss_timeout` and started again elsewhere: a worker
 * that comes back on that host stops its agent and pushes nothing (SPEC §10).
 */
export interface AbandonedAttempt {
  readonly unitId: string;
  /** The agent attempt (`FANOUT_ATTEMPT`). */
  readonly attempt: number;
  readonly host: string;
}

/** The workflow query a returning worker asks before it stops an agent nobody follows. */
export const ABANDONED_ATTEMPTS_QUERY = 'abandonedAttempts';

/** In a remote run, the attempt record's owner key: the same agent attempt, whichever activity follows it. */
export function attemptOwnerKey(unitId: string, attempt: number): string {
  return `${unitId}#attempt-${attempt}`;
}
