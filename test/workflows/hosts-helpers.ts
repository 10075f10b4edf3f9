/**
 * Helpers of the many-hosts workflow tests (SPEC §10): "hosts" are real agent-fanout workers on one
 * task queue, each with a work directory and host id of its own, a bare repository as the remote,
 * and the run's history read back for where each try of an attempt was placed.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { AttemptInput } from '../../src/activities/types';
import { startFanoutWorker, type RunningWorker } from '../../src/worker/create-worker';
import { testServer } from '../helpers/fanout-worker';
import { CLI } from '../helpers/scenario-runner';
import { gitIn } from '../git/git-repo';

const scratch: string[] = [];

/** A folder of the test's own (real path), removed after the file's tests. */
export function scratchFolder(label: string): string {
  const folder = realpathSync(mkdtempSync(path.join(tmpdir(), `fanout-hosts-${label}-`)));
  scratch.push(folder);
  return folder;
}

export function removeScratch(): void {
  for (const folder of scratch.splice(0)) rmSync(folder, { recursive: true, force: true });
}

/** A bare clone of `repo`: the run's `--remote`. */
export function bareRemote(repo: string): string {
  const remote = path.join(scratchFolder('remote'), 'remote.git');
  gitIn(path.dirname(remote), 'clone', '-q', '--bare', repo, remote);
  return remote;
}

export interface TestHost {
  readonly id: string;
  readonly workdir: string;
}

/** Starts a worker as `host` on `taskQueue` (its own work directory, id and host queue). */
export function startHost(
  taskQueue: string,
  host: TestHost,
  orphanSweepIntervalMs?: number,
  maxConcurrentAgents = 16,
): Promise<RunningWorker> {
  const server = testServer();
  return startFanoutWorker({
    address: server.address,
    namespace: server.namespace,
    taskQueue,
    maxConcurrentAgents,
    workdir: host.workdir,
    hostId: host.id,
    ...(orphanSweepIntervalMs === undefined ? {} : { orphanSweepIntervalMs }),
  });
}

export interface PlacedTry {
  readonly taskQueue: string;
  readonly maximumAttempts: number;
  readonly input: AttemptInput;
}

/** Every `runAgentAttempt` the workflow scheduled, with the queue it went to, in order. */
export function placedTries(history: temporal.api.history.v1.IHistory): PlacedTry[] {
  return (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'runAgentAttempt') return [];
    const payload = scheduled.input?.payloads?.[0];
    if (payload === undefined) return [];
    return [
      {
        taskQueue: scheduled.taskQueue?.name ?? '',
        maximumAttempts: scheduled.retryPolicy?.maximumAttempts ?? 0,
        input: defaultPayloadConverter.fromPayload<AttemptInput>(payload),
      },
    ];
  });
}

/** The lines a `--count <file>` agent action appended so far. */
export function countedLines(file: string): string[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}

/** Polls `check` every 200 ms until it holds; fails after `timeoutMs`. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export type { Client };

/** A host in a process of its own (`agent-fanout worker --workdir --host`), so it can be killed -9. */
export interface HostProcess {
  readonly pid: number;
  readonly exited: Promise<number | string>;
  log(): string;
}

/** Starts the built CLI's worker as `host` and resolves once it polls. */
export async function startHostProcess(
  taskQueue: string,
  host: TestHost,
  logDir: string,
): Promise<HostProcess> {
  const server = testServer();
  const logFile = path.join(logDir, `worker-${host.id}-${Date.now()}.log`);
  const fd = openSync(logFile, 'a');
  const args = [
    CLI,
    'worker',
    '--address',
    server.address,
    '--namespace',
    server.namespace,
    '--task-queue',
    taskQueue,
  ];
  const child = spawn(process.execPath, [...args, '--workdir', host.workdir, '--host', host.id], {
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  await eventually(`worker ${host.id} to poll`, () => log().includes('worker polling task queue'), 60_000);
  return { pid: child.pid ?? -1, exited, log };
}

/** SIGKILL to the host's worker process group (its agents run in groups of their own and survive). */
export async function killHostProcess(worker: HostProcess): Promise<void> {
  try {
    process.kill(-worker.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  await worker.exited;
}
