import { Client } from '@temporalio/client';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createActivities } from '../activities';
import type { HostIdentity } from '../contracts/hosts';
import { settledPool } from '../git';
import { hostIdentity } from './host-identity';
import { startOrphanSweeper } from './orphan-sweeper';
import { workflowPreloadModules } from './workflow-preload';
import type { FanoutWorkerConfig } from './worker-options';
import {
  HEARTBEAT_THROTTLE,
  SHUTDOWN_FORCE_TIME,
  SHUTDOWN_GRACE_TIME,
  eagerAgentStartsPerWorkflowTask,
} from './worker-options';

export interface RunningWorker {
  /** The SDK worker of the shared task queue (workflows and activities). */
  readonly worker: Worker;
  /** This host's identity; its own queue is served by a second SDK worker (activities only). */
  readonly host: HostIdentity;
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
 * Starts a worker that runs fan-out workflows and the agents of their units on this host: one SDK
 * worker on the shared task queue, one on this host's own queue (SPEC §10: an attempt bound to this
 * host after its heartbeat was lost), and the sweep of this host's orphaned agents. Uses the
 * prebuilt workflow bundle when there is one, so start-up does not bundle.
 */
export async function startFanoutWorker(config: FanoutWorkerConfig): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: config.address, ...config.security });
  const bundlePath = config.workflowBundlePath ?? defaultBundlePath();
  const host = hostIdentity(config.taskQueue, config);
  // The work directory is also where git working trees go (`--workdir` sets the worktree root).
  const env = config.workdir === undefined ? process.env : { ...process.env, FANOUT_WORKTREES: host.workdir };
  const activities = createActivities({ host, env });
  const common: Omit<WorkerOptions, 'taskQueue'> = {
    connection,
    namespace: config.namespace,
    activities,
    maxConcurrentActivityTaskExecutions: config.maxConcurrentAgents,
    maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
    defaultHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
    shutdownGraceTime: SHUTDOWN_GRACE_TIME,
    shutdownForceTime: SHUTDOWN_FORCE_TIME,
    ...(config.identity !== undefined ? { identity: config.identity } : {}),
  };
  try {
    const worker = await Worker.create({
      ...common,
      taskQueue: config.taskQueue,
      ...(bundlePath !== undefined
        ? { workflowBundle: { codePath: bundlePath } }
        : {
            workflowsPath: require.resolve('../workflows'),
            bundlerOptions: { preloadModules: workflowPreloadModules() },
          }),
      maxEagerActivityReservationsPerWorkflowTask: eagerAgentStartsPerWorkflowTask(config),
    });
    const hostWorker = await Worker.create({ ...common, taskQueue: host.queue });
    const sweeper = startOrphanSweeper({
      workdir: host.workdir,
      client: new Client({ connection, namespace: config.namespace }),
      ...(config.orphanSweepIntervalMs === undefined ? {} : { intervalMs: config.orphanSweepIntervalMs }),
    });
    const workers = [worker, hostWorker];
    // Released git working trees finish their scrub before the process goes (no git left behind).
    const done = Promise.all(workers.map((w) => w.run().finally(() => stopAll(workers))))
      .then(() => undefined)
      .finally(() => sweeper.stop())
      .finally(() => connection.close())
      .finally(() => settledPool());
    return {
      worker,
      host,
      done,
      shutdown: async () => {
        stopAll(workers);
        await done;
      },
    };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

/** One SDK worker stopping (a shutdown, a fatal error) stops the other: they are one host. */
function stopAll(workers: readonly Worker[]): void {
  for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
}
