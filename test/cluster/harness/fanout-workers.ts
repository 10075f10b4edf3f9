/**
 * agent-fanout workers for a test cluster: `node bin/agent-fanout.js worker` processes (so a test
 * can SIGKILL one), polling the cluster's task queue. Their agents' supervisors outlive them by
 * design; `reapAgents` (test/crash/helpers.ts) stops those by the pids in the attempt records.
 */
import path from 'node:path';
import { CLI } from '../../helpers/scenario-runner';
import { ManagedProcess } from './managed-process';

export interface FanoutWorkerOptions {
  readonly address: string;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly logDir: string;
  readonly metricsPort?: number;
  readonly maxConcurrentAgents?: number;
  /** Connection flags such as --tls-ca, passed as they are. */
  readonly extraArgs?: readonly string[];
}

let started = 0;

/** Starts a worker and resolves once it polls its task queue. */
export async function startFanoutWorker(options: FanoutWorkerOptions): Promise<ManagedProcess> {
  const args = [
    CLI,
    'worker',
    '--address',
    options.address,
    '--namespace',
    options.namespace,
    '--task-queue',
    options.taskQueue,
    ...(options.metricsPort === undefined ? [] : ['--metrics-port', String(options.metricsPort)]),
    ...(options.maxConcurrentAgents === undefined
      ? []
      : ['--max-concurrent-agents', String(options.maxConcurrentAgents)]),
    ...(options.extraArgs ?? []),
  ];
  started += 1;
  const worker = new ManagedProcess(`agent-fanout worker ${started}`, {
    command: process.execPath,
    args,
    logFile: path.join(options.logDir, `fanout-worker-${process.pid}-${started}.log`),
  });
  try {
    await worker.waitForLog('worker polling task queue', 60_000);
  } catch (error) {
    await worker.stop(1000);
    throw error;
  }
  return worker;
}

/** SDK identities are `<pid>@<host>`: true when `identity` is this worker's. */
export function isIdentityOf(identity: string, worker: ManagedProcess): boolean {
  return identity.startsWith(`${worker.pid}@`);
}
