/**
 * How an agent-fanout worker is configured. Each default is declared once, here.
 */
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
}

export const DEFAULT_TASK_QUEUE = 'agent-fanout';
export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_ADDRESS = 'localhost:7233';
export const DEFAULT_MAX_CONCURRENT_AGENTS = 256;

/**
 * Heartbeats reach the server at most this often. Cancellation reaches a running activity only in
 * a heartbeat's answer, so this bounds how long a cancelled agent keeps running (about 2 s with
 * the activity's one-second heartbeat loop).
 */
export const HEARTBEAT_THROTTLE = '1s';

export function resolveAddress(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return flag ?? env.TEMPORAL_ADDRESS ?? DEFAULT_ADDRESS;
}
