/**
 * How an agent-fanout worker is configured. Each worker default is declared once, here; the
 * connection defaults it shares with the client are in contracts/connection.ts.
 */
import type { ConnectionSecurity } from '../contracts/connection';

export interface FanoutWorkerConfig {
  /** Temporal frontend, `host:port`. @default `TEMPORAL_ADDRESS`, else `localhost:7233` */
  readonly address: string;
  /** @default `default` */
  readonly namespace: string;
  /** The queue this host serves; one per host that holds a checkout. @default `agent-fanout` */
  readonly taskQueue: string;
  /**
   * Most agents this worker runs at once. Must be at least the largest `max_workers` of the
   * plans it serves, or units queue behind each other beyond what the plan asked for.
   * @default 256 (the largest `max_workers` a plan may set)
   */
  readonly maxConcurrentAgents: number;
  /** A prebuilt workflow bundle (`npm run build` writes `dist/workflow-bundle.js`). @default bundle at start-up */
  readonly workflowBundlePath?: string;
  readonly identity?: string;
  /** @default none (plain connection) */
  readonly security?: ConnectionSecurity;
  /**
   * This host's work directory (SPEC §10 `--workdir`): clones, working trees, evidence and live
   * entries; also the git worktree root. @default `FANOUT_WORKTREES`, else `/var/tmp/agent-fanout-<uid>`
   */
  readonly workdir?: string;
  /** This host's id (`--host`), recorded as a unit's `host`. @default `<hostname>:<workdir>` */
  readonly hostId?: string;
  /** How often the orphan sweep runs (tests shorten it). @default 15 s */
  readonly orphanSweepIntervalMs?: number;
}

/**
 * After a shutdown is requested (SIGINT, SIGTERM), how long running activities may go on before
 * they are cancelled with reason WORKER_SHUTDOWN. An agent attempt then leaves its agent running and
 * fails as a retryable AgentLeftRunning, so the next try adopts the agent (SPEC §4.4); an attempt
 * whose agent ends within this time completes normally. Kept short: it delays the worker's exit.
 */
export const SHUTDOWN_GRACE_TIME = '2s';

/**
 * The bound on a shutdown: past it the SDK gives up draining (`GracefulShutdownPeriodExpiredError`)
 * and the worker exits anyway. Agents are never stopped by a shutdown, so this only bounds how long
 * a stuck activity or workflow task can hold the process.
 */
export const SHUTDOWN_FORCE_TIME = '10s';

export const DEFAULT_MAX_CONCURRENT_AGENTS = 256;

/**
 * How many of the units that one workflow task starts go straight back to this worker in the
 * task's answer (eager activity dispatch; the server must allow it, Server 1.32 does by default),
 * instead of each taking a trip through the task queue's matching. The SDK's default is 3 a task:
 * in a 10-wide lattice the other 7 units of each layer started about 12 ms later. Bounded only by
 * the worker's free agent slots, so a run's agents gather a little more on the worker that runs its
 * workflow instead of spreading over the queue's replicas (which share one host and checkout).
 */
export function eagerAgentStartsPerWorkflowTask(
  config: Pick<FanoutWorkerConfig, 'maxConcurrentAgents'>,
): number {
  return config.maxConcurrentAgents;
}

/**
 * Heartbeats reach the server at most this often. Cancellation reaches a running activity only in
 * a heartbeat's answer, so this bounds how long a cancelled agent keeps running (about 2 s with
 * the activity's one-second heartbeat loop).
 */
export const HEARTBEAT_THROTTLE = '1s';
