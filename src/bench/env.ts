/** What every bench shape runs in (server, worker, scratch folder) and the counters read around it. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { DevServer } from '../dev/dev-server';
import type { ProcessFigures } from './figures';
import {
  launcherCpu,
  machineCpu,
  processCpu,
  runQueueWaitSeconds,
  statusMiB,
  type ProcessCpu,
  type WorkerProcess,
} from './worker-process';

export interface Environment {
  readonly server: DevServer;
  readonly worker: WorkerProcess;
  readonly taskQueue: string;
  readonly scratch: string;
  readonly bundlePath: string;
  /**
   * With the `workspace` shape: a folder under /var/tmp (outside $HOME, so Landlock can confine a
   * git unit's tree) for its repositories and, in `trees/`, the worker's `FANOUT_WORKTREES`.
   */
  readonly gitScratch?: string;
}

export function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

export function readTextOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export function loadAverage(): number[] {
  return os.loadavg().map((value) => Math.round(value * 100) / 100);
}

export const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

export interface Counters {
  readonly at: number;
  readonly worker: ProcessCpu;
  /** The worker's supervisor launcher: since it forks the supervisors, the agents' CPU is its children's. */
  readonly launcher: ProcessCpu;
  readonly server: ProcessCpu;
  readonly workerWait: number;
  readonly serverWait: number;
  readonly machine: ReturnType<typeof machineCpu>;
  readonly loadAverage: number[];
}

/** CPU and scheduling counters of the bench's processes and the machine, at one moment. */
export function counters(env: Environment): Counters {
  return {
    at: Date.now(),
    worker: processCpu(env.worker.pid),
    launcher: launcherCpu(env.worker.pid),
    server: processCpu(env.server.pid),
    workerWait: runQueueWaitSeconds(env.worker.pid),
    serverWait: runQueueWaitSeconds(env.server.pid),
    machine: machineCpu(),
    loadAverage: loadAverage(),
  };
}

/** Agents and their supervisors: reaped by the worker (Node supervisors) or by its launcher. */
function agentsCpu(sample: Counters): number {
  return sample.worker.children + sample.launcher.own + sample.launcher.children;
}

/** What the worker, its agents, the server and the machine did between two readings. */
export function processFigures(env: Environment, before: Counters, after: Counters): ProcessFigures {
  const wallSeconds = (after.at - before.at) / 1000;
  const delta = (pick: (sample: Counters) => number): number => round(pick(after) - pick(before));
  return {
    workerPeakRssMiB: round(statusMiB(env.worker.pid, 'VmHWM'), 1),
    workerRssAtEndMiB: round(statusMiB(env.worker.pid, 'VmRSS'), 1),
    workerCpuSeconds: delta((sample) => sample.worker.own),
    agentsCpuSeconds: delta((sample) => agentsCpu(sample)),
    serverCpuSeconds: delta((sample) => sample.server.own),
    workerRunQueueWaitSeconds: delta((sample) => sample.workerWait),
    serverRunQueueWaitSeconds: delta((sample) => sample.serverWait),
    machineBusyCores: round(delta((sample) => sample.machine.busy) / wallSeconds),
    benchCores: round(
      delta((sample) => sample.worker.own + agentsCpu(sample) + sample.server.own) / wallSeconds,
    ),
    wallSeconds: round(wallSeconds),
    loadAverageStart: before.loadAverage,
    loadAverageEnd: after.loadAverage,
  };
}
