/**
 * Worker hosts for the many-hosts tests: `agent-fanout worker --workdir D --host H` as a real
 * process of its own (its own process group, so kill -9 is a host's crash), and the reaping of
 * every worker and every agent recorded under a work directory, by process group, never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { recordedProcessState, type AttemptRecord } from '../../src/activities/agent/attempt-record';
import { attemptRecordsUnder } from '../acceptance/git-harness';
import { CLI } from './scenario-runner';
import { testServer } from './temporal';

const READY_TEXT = 'worker polling task queue';

export interface HostWorker {
  readonly hostId: string;
  readonly workdir: string;
  readonly pid: number;
  readonly exited: Promise<number | string>;
  log(): string;
}

export interface HostWorkerOptions {
  readonly taskQueue: string;
  readonly hostId: string;
  readonly workdir: string;
  readonly maxAgents?: number;
  /** Added to the worker's environment (e.g. GIT_CONFIG_GLOBAL). */
  readonly env?: Record<string, string>;
}

const workers = new Set<ChildProcess>();
const workdirs = new Set<string>();

/** Starts `agent-fanout worker` for one host and resolves once it polls. */
export async function startHostWorker(options: HostWorkerOptions): Promise<HostWorker> {
  const server = testServer();
  const logFile = path.join(options.workdir, '..', `worker-${options.hostId}-${Date.now()}.log`);
  const fd = openSync(logFile, 'a');
  const args = [CLI, 'worker', '--address', server.address, '--namespace', server.namespace];
  args.push('--task-queue', options.taskQueue, '--workdir', options.workdir, '--host', options.hostId);
  args.push('--max-concurrent-agents', String(options.maxAgents ?? 2));
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  delete env.FANOUT_WORKTREES;
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  workers.add(child);
  workdirs.add(options.workdir);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const deadline = Date.now() + 60_000;
  while (!log().includes(READY_TEXT)) {
    const early = await Promise.race([exited, delay(100).then(() => undefined)]);
    if (early !== undefined) throw new Error(`worker ${options.hostId} exited early (${early}):\n${log()}`);
    if (Date.now() > deadline) throw new Error(`worker ${options.hostId} did not start:\n${log()}`);
  }
  return { hostId: options.hostId, workdir: options.workdir, pid: child.pid ?? -1, exited, log };
}

/** kill -9 of the worker process only (its agents live in process groups of their own). */
export async function crashHostWorker(worker: HostWorker): Promise<void> {
  process.kill(worker.pid, 'SIGKILL');
  await worker.exited;
}

/** The attempt records of the agents a host ran (its working trees lie under its work directory). */
export function hostAttemptRecords(workdir: string): AttemptRecord[] {
  return attemptRecordsUnder(workdir, 12);
}

async function killRecorded(pid: number, ticks: string | null, record: AttemptRecord): Promise<void> {
  if ((await recordedProcessState(pid, ticks, record)) !== 'alive') return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

/** SIGKILLs every worker group and every recorded agent and supervisor group; for afterEach. */
export async function reapHosts(): Promise<void> {
  for (const child of workers) {
    try {
      if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid ?? -1), 'SIGKILL');
    } catch {
      // gone
    }
  }
  workers.clear();
  for (const workdir of workdirs) {
    for (const record of hostAttemptRecords(workdir)) {
      await killRecorded(record.supervisorPid, record.supervisorStartTicks, record);
      await killRecorded(record.pid, record.processStartTicks, record);
    }
  }
}

/** Polls `probe` every 200 ms until it returns a value; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(200);
  }
}

/** Polls `probe` every 250 ms until it resolves true; throws naming `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs = 90_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(250);
  }
}
