/**
 * Crash tests run real worker processes (`node bin/agent-fanout.js worker`, so they can be killed
 * with SIGKILL) against a real Temporal server, with fake agents that count their starts. Every
 * process a test starts is reaped by process group in `reapEverything()`: the workers it spawned,
 * and every agent and supervisor named in the attempt records of its repos, never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readdirSync,
  realpathSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { recordedProcessState, type AttemptRecord } from '../../src/activities/agent/attempt-record';
import type { AgentHeartbeat } from '../../src/activities/types';
import { startRun, type FanoutHandle } from '../../src/client/fanout-client';
import type { Plan } from '../../src/plan/types';
import { liveMembers } from '../activities/helpers';
import { requireBuiltCli } from '../client/helpers/built-cli';
import { testPlan, testUnit } from '../helpers/plan-factory';
import { CLI, FAKE_AGENT } from '../helpers/scenario-runner';

export { requireBuiltCli };

/** A worker in a process of its own; its pid is also its process group and the prefix of its identity. */
export interface WorkerProcess {
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
  log(): string;
}

const workers = new Set<ChildProcess>();
const repos = new Set<string>();

/** A fresh checkout directory (real path), remembered for reaping. */
export function makeRepo(): string {
  const repo = realpathSync(mkdtempSync(join(tmpdir(), 'fanout-crash-')));
  repos.add(repo);
  return repo;
}

/** Starts `agent-fanout worker` and resolves once it polls. */
export async function startWorkerProcess(
  address: string,
  taskQueue: string,
  options: { maxConcurrentAgents?: number; logDir: string; env?: NodeJS.ProcessEnv },
): Promise<WorkerProcess> {
  const logFile = join(options.logDir, `worker-${Date.now()}-${workers.size}.log`);
  const fd = openSync(logFile, 'a');
  const args = [CLI, 'worker', '--address', address, '--task-queue', taskQueue];
  if (options.maxConcurrentAgents !== undefined)
    args.push('--max-concurrent-agents', String(options.maxConcurrentAgents));
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: options.env ?? process.env,
  });
  closeSync(fd);
  workers.add(child);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const deadline = Date.now() + 30_000;
  while (!log().includes('worker polling task queue')) {
    const early = await Promise.race([exited, delay(50).then(() => undefined)]);
    if (early !== undefined) throw new Error(`worker exited early (${early}):\n${log()}`);
    if (Date.now() > deadline) throw new Error(`worker did not start:\n${log()}`);
  }
  return { pid: child.pid ?? -1, logFile, exited, log };
}

/** SIGKILL to a worker process: the crash of SPEC §4.4. */
export async function killWorker(worker: WorkerProcess): Promise<void> {
  process.kill(worker.pid, 'SIGKILL');
  await worker.exited;
}

/** The attempt records of every unit of `repo`. */
export function attemptRecords(repo: string): AttemptRecord[] {
  const root = join(repo, '.agent', 'workers');
  if (!existsSync(root)) return [];
  const records: AttemptRecord[] = [];
  for (const unit of readdirSync(root)) {
    const logs = join(root, unit, 'logs');
    if (!existsSync(logs)) continue;
    for (const file of readdirSync(logs).filter((name) => /^attempt-\d+\.json$/.test(name))) {
      try {
        records.push(JSON.parse(readFileSync(join(logs, file), 'utf8')) as AttemptRecord);
      } catch {
        // being written
      }
    }
  }
  return records;
}

/** The unit a record or heartbeat belongs to, from its log path. */
export function unitOfLog(logPath: string): string {
  return /\/([^/]+)\/logs\/attempt-\d+\.log$/.exec(logPath)?.[1] ?? '?';
}

/** Kills the recorded process (its own group) if it is still the recorded one. */
async function killRecorded(pid: number, ticks: string | null, record: AttemptRecord): Promise<void> {
  if ((await recordedProcessState(pid, ticks, record)) !== 'alive') return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

/** SIGKILLs every worker, supervisor and agent group the tests started; for afterEach. */
export async function reapEverything(): Promise<void> {
  for (const child of workers) {
    try {
      if (child.exitCode === null && child.signalCode === null) process.kill(-(child.pid ?? -1), 'SIGKILL');
    } catch {
      // gone
    }
  }
  workers.clear();
  for (const repo of repos) {
    for (const record of attemptRecords(repo)) {
      await killRecorded(record.supervisorPid, record.supervisorStartTicks, record);
      await killRecorded(record.pid, record.processStartTicks, record);
    }
  }
}

/** Live members left in the process groups of every recorded agent of `repo`. */
export async function leftoverAgents(repo: string): Promise<number[]> {
  const live: number[] = [];
  for (const record of attemptRecords(repo)) live.push(...(await liveMembers(record.pgid)));
  return live;
}

/** Lines of the shared count file: one `<unit> attempt=<n>` per agent start. */
export function countLines(repo: string): string[] {
  const file = join(repo, 'count.txt');
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
    : [];
}

/** The agent log of `unitId`'s first attempt, as lines. */
export function agentLog(repo: string, unitId: string): string[] {
  const file = join(repo, '.agent', 'workers', unitId, 'logs', 'attempt-1.log');
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '')
    : [];
}

export const ticks = (n: number): string[] => Array.from({ length: n }, (_, i) => `tick ${i + 1}`);

/** A plan whose every unit counts its start, then prints `count` ticks `everyMs` apart. */
export function tickingPlan(unitIds: string[], count: number, everyMs: number): Plan {
  return testPlan(
    unitIds.map((id) => testUnit(id)),
    {
      name: 'crash',
      maxWorkers: unitIds.length,
      agent: {
        command: [
          FAKE_AGENT,
          '--count',
          'count.txt',
          '--ticks',
          String(count),
          String(everyMs),
          '--artifact',
          'out.md',
        ],
        env: {},
        timeout: { ms: 600_000, text: '10m' },
        idleTimeout: { ms: 600_000, text: '10m' },
        grace: { ms: 1000, text: '1s' },
      },
    },
  );
}

export async function startCrashRun(
  client: Client,
  plan: Plan,
  repo: string,
  taskQueue: string,
  workflowId: string,
): Promise<FanoutHandle> {
  return startRun(client, { plan, repo, taskQueue, workflowId });
}

/** Waits until `probe` returns something other than undefined. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await delay(100);
  }
}

/** Every unit has started its agent and printed at least `line`. */
export function allPrinted(repo: string, unitIds: string[], line: string): true | undefined {
  return unitIds.every((id) => agentLog(repo, id).includes(line)) ? true : undefined;
}

/** One pending agent attempt as the server sees it. */
export interface PendingAttempt {
  readonly unitId: string;
  /** The activity attempt (infrastructure retries), not the agent attempt. */
  readonly attempt: number;
  readonly workerIdentity: string;
  readonly heartbeat: AgentHeartbeat | null;
}

/** The run's pending agent attempts, from the server's describe. */
export async function pendingAttempts(handle: FanoutHandle): Promise<PendingAttempt[]> {
  const description = await handle.describe();
  return (description.raw.pendingActivities ?? []).map((activity) => {
    const payload = activity.heartbeatDetails?.payloads?.[0];
    const heartbeat = payload ? defaultPayloadConverter.fromPayload<AgentHeartbeat>(payload) : null;
    return {
      unitId: heartbeat ? unitOfLog(heartbeat.logPath) : '?',
      attempt: activity.attempt ?? 0,
      workerIdentity: activity.lastWorkerIdentity ?? '',
      heartbeat,
    };
  });
}

/** True when `identity` is the SDK's default identity of the worker process `pid`. */
export function isWorker(identity: string, worker: WorkerProcess): boolean {
  return identity.startsWith(`${worker.pid}@`);
}

/**
 * Resolves once each of `units` is followed by `worker` on a later try (activity attempt > 1),
 * heartbeating the pid its record names while the agent still runs: an adoption, seen by the server.
 * Returns the time each was first seen.
 */
export async function adoptionsBy(
  handle: FanoutHandle,
  worker: WorkerProcess,
  records: Map<string, AttemptRecord>,
  ms = 60_000,
): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  await waitFor(
    `adoption of ${[...records.keys()].join(', ')} by worker ${worker.pid}`,
    async () => {
      for (const pending of await pendingAttempts(handle).catch(() => [])) {
        const record = records.get(pending.unitId);
        if (
          record !== undefined &&
          !seen.has(pending.unitId) &&
          pending.attempt > 1 &&
          isWorker(pending.workerIdentity, worker) &&
          pending.heartbeat?.phase === 'running' &&
          pending.heartbeat.pid === record.pid
        ) {
          seen.set(pending.unitId, Date.now());
        }
      }
      return seen.size === records.size ? true : undefined;
    },
    ms,
  );
  return seen;
}
