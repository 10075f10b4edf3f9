/**
 * Jest hooks for a test file that runs against its own cluster: beforeAll starts the cluster and
 * two agent-fanout workers on one task queue; afterEach stops the agents and supervisors the
 * file's runs left; afterAll stops the workers and the cluster, each by pid.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { measured } from '../../activities/helpers';
import { reapEverything } from '../../crash/helpers';
import { TestCluster, type ClusterOptions } from './cluster';
import { startFanoutWorker } from './fanout-workers';
import type { ManagedProcess } from './managed-process';

export interface ClusterFixture {
  readonly taskQueue: string;
  readonly logDir: string;
  cluster(): TestCluster;
  /** The workers polling `taskQueue`, in start order; a test may kill and replace them. */
  workers(): ManagedProcess[];
  /** Starts one more worker on the task queue with `extraArgs` (e.g. --metrics-port). */
  addWorker(extraArgs?: readonly string[]): Promise<ManagedProcess>;
}

export interface UseClusterOptions extends ClusterOptions {
  /** Workers started in beforeAll; default 2. */
  readonly workers?: number;
  /** Connection flags every worker gets (TLS). */
  readonly workerArgs?: () => readonly string[];
}

export function useCluster(label: string, options: UseClusterOptions = {}): ClusterFixture {
  const taskQueue = `cluster-${label}-${process.pid}`;
  const logDir = mkdtempSync(path.join(tmpdir(), `fanout-cluster-${label}-logs-`));
  let cluster: TestCluster | undefined;
  const workers: ManagedProcess[] = [];

  const addWorker = async (extraArgs: readonly string[] = []): Promise<ManagedProcess> => {
    if (cluster === undefined) throw new Error('the cluster fixture is used outside a test');
    const worker = await startFanoutWorker({
      address: cluster.address,
      namespace: cluster.namespace,
      taskQueue,
      logDir,
      extraArgs: [...(options.workerArgs?.() ?? []), ...extraArgs],
    });
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    const startedAt = Date.now();
    cluster = await TestCluster.start(options);
    measured(
      `cluster start (PostgreSQL, schema, four services, namespace) for ${label}`,
      Date.now() - startedAt,
      'ms',
    );
    for (let i = 0; i < (options.workers ?? 2); i++) await addWorker();
  }, 600_000);

  afterEach(reapEverything, 60_000);

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop(15_000)));
    await reapEverything();
    await cluster?.dispose();
  }, 120_000);

  return {
    taskQueue,
    logDir,
    cluster: () => {
      if (cluster === undefined) throw new Error('the cluster did not start (see beforeAll)');
      return cluster;
    },
    workers: () => workers,
    addWorker,
  };
}
