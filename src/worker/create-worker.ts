import { NativeConnection, Worker } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createActivities } from '../activities';
import { settledPool } from '../git';
import type { FanoutWorkerConfig } from './worker-options';
import {
  HEARTBEAT_THROTTLE,
  SHUTDOWN_FORCE_TIME,
  SHUTDOWN_GRACE_TIME,
  eagerAgentStartsPerWorkflowTask,
} from './worker-options';

export interface RunningWorker {
  readonly worker: Worker;
  /** Settles when the worker stopped (rejects if it failed). */
  readonly done: Promise<void>;
  /** Stops polling, waits for the worker to stop, closes the connection. */
  shutdown(): Promise<void>;
}

/** The prebuilt bundle next to the compiled code, when `npm run build` made one. */
export function defaultBundlePath(): string | undefined {
  const candidate = path.resolve(__dirname, '..', 'workflow-bundle.js');
  return existsSync(candidate) ? candidate : undefined;
}

/**
 * Starts a worker that runs fan-out workflows and the agents of their units on this host.
 * Uses the prebuilt workflow bundle when there is one, so start-up does not bundle.
 */
export async function startFanoutWorker(config: FanoutWorkerConfig): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: config.address, ...config.security });
  const bundlePath = config.workflowBundlePath ?? defaultBundlePath();
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.namespace,
      taskQueue: config.taskQueue,
      ...(bundlePath !== undefined
        ? { workflowBundle: { codePath: bundlePath } }
        : { workflowsPath: require.resolve('../workflows') }),
      activities: createActivities(),
      maxConcurrentActivityTaskExecutions: config.maxConcurrentAgents,
      maxEagerActivityReservationsPerWorkflowTask: eagerAgentStartsPerWorkflowTask(config),
      maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
      defaultHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
      shutdownGraceTime: SHUTDOWN_GRACE_TIME,
      shutdownForceTime: SHUTDOWN_FORCE_TIME,
      ...(config.identity !== undefined ? { identity: config.identity } : {}),
    });
    // Released git working trees finish their scrub before the process goes (no git left behind).
    const done = worker
      .run()
      .finally(() => connection.close())
      .finally(() => settledPool());
    return {
      worker,
      done,
      shutdown: async () => {
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await done;
      },
    };
  } catch (error) {
    await connection.close();
    throw error;
  }
}
