/**
 * The worker under test, as a child process (`node bin/agent-fanout.js worker …`), so its memory
 * and CPU are its own and can be read from /proc: peak RSS (VmHWM, reset between shapes through
 * /proc/<pid>/clear_refs) and CPU time (utime + stime).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../dev/find-temporal-cli';
import { killGroupWhenOwnerEnds } from '../dev/kill-on-owner-exit';

/** glibc malloc arenas of the worker, as the worker image sets them (Dockerfile). */
export const WORKER_MALLOC_ARENA_MAX = '2';

export const CLI_PATH = path.join(PROJECT_ROOT, 'bin', 'agent-fanout.js');

/** USER_HZ, the unit of utime and stime in /proc/<pid>/stat; 100 on every common Linux build. */
const CLOCK_TICKS_PER_SECOND = 100;
const READY_TEXT = 'worker polling task queue';
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;

export interface WorkerProcessOptions {
  readonly address: string;
  readonly namespace: string;
  readonly taskQueue: string;
  /** Appended with everything the worker prints. */
  readonly logFile: string;
  /** Run the worker under `node --cpu-prof`, writing its profiles here. */
  readonly profileDir?: string;
  /** Added to the worker's environment (e.g. `FANOUT_WORKTREES`). */
  readonly env?: Readonly<Record<string, string>>;
  /** Added to `agent-fanout worker`'s arguments (e.g. `--workdir`). */
  readonly extraArgs?: readonly string[];
}

export interface WorkerProcess {
  readonly pid: number;
  /** ms from spawn to its "polling" line. */
  readonly startupMs: number;
  /** SIGTERM, then SIGKILL to its group after 30 s; resolves once it exited. */
  stop(): Promise<void>;
}

export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const startedAt = Date.now();
  const child = spawn(
    process.execPath,
    [
      ...(options.profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', options.profileDir]),
      CLI_PATH,
      'worker',
      '--address',
      options.address,
      '--namespace',
      options.namespace,
      '--task-queue',
      options.taskQueue,
      ...(options.extraArgs ?? []),
    ],
    {
      cwd: PROJECT_ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // As the worker image runs (Dockerfile); set MALLOC_ARENA_MAX to measure another value.
      env: {
        ...process.env,
        MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? WORKER_MALLOC_ARENA_MAX,
        ...options.env,
      },
    },
  );
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid ?? -1));
    child.once('error', reject);
  });
  const release = killGroupWhenOwnerEnds(pid);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(release);
  child.stdout.pipe(log, { end: false });

  let ready: () => void = () => undefined;
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  let seen = '';
  child.stderr.on('data', (chunk: Buffer) => {
    log.write(chunk);
    if (seen.length < 100_000) {
      seen += chunk.toString('utf8');
      if (seen.includes(READY_TEXT)) ready();
    }
  });

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }, STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    await new Promise<void>((resolve) => log.end(resolve));
  };

  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    readyPromise.then(() => 'ready' as const),
    exited.then(() => 'exited' as const),
    new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), READY_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  if (outcome !== 'ready') {
    await stop();
    throw new Error(
      `the worker ${outcome === 'exited' ? 'exited' : 'did not start'}; see ${options.logFile}`,
    );
  }
  return { pid, startupMs: Date.now() - startedAt, stop };
}

/** A `kB` field of /proc/<pid>/status, in MiB; NaN when unreadable. */
export function statusMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Resets VmHWM to the current RSS (Linux >= 4.0); false when not allowed. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** CPU seconds (user + system) of a process, and of its reaped children. */
export interface ProcessCpu {
  readonly own: number;
  readonly children: number;
}

/** NaN fields when the process cannot be read. */
export function processCpu(pid: number): ProcessCpu {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    // After the command, index 0 is field 3 (state): utime, stime, cutime, cstime are fields 14-17.
    const ticks = (index: number): number => (fields[index] ?? Number.NaN) / CLOCK_TICKS_PER_SECOND;
    return { own: ticks(11) + ticks(12), children: ticks(13) + ticks(14) };
  } catch {
    return { own: Number.NaN, children: Number.NaN };
  }
}

/**
 * CPU of the worker's supervisor launcher (a perl child of the worker, see
 * src/activities/supervisor-launcher.ts): its own, and its reaped children's, the supervisors and
 * through them the agents. Zeros while the worker has no launcher (no launch yet, or no perl).
 */
export function launcherCpu(workerPid: number): ProcessCpu {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent !== workerPid || !stat.includes('(perl)')) continue;
      if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').includes('--launcher')) continue;
      return processCpu(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  return { own: 0, children: 0 };
}

/**
 * Seconds the threads of a process spent runnable but waiting for a CPU (the second field of
 * /proc/<pid>/task/<tid>/schedstat), summed over its live threads: how much the machine's other
 * load held it back. NaN without schedstats.
 */
export function runQueueWaitSeconds(pid: number): number {
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const fields = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(' ');
        total += Number(fields[1]) / 1e9;
      } catch {
        // The thread ended meanwhile.
      }
    }
    return total;
  } catch {
    return Number.NaN;
  }
}

/** Busy and total CPU seconds of the whole machine since boot, from /proc/stat. */
export function machineCpu(): { readonly busy: number; readonly total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map((value) => Number(value) / CLOCK_TICKS_PER_SECOND);
    const busy = [user, nice, system, irq, softirq, steal].reduce<number>(
      (sum, value) => sum + (value ?? 0),
      0,
    );
    return { busy, total: busy + (idle ?? 0) + (iowait ?? 0) };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}
