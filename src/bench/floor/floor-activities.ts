/**
 * The floor's one activity: start a process, wait for its exit. No namespace, evidence,
 * containment, heartbeat or log: what any coordinator on Temporal pays to run a process.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { Context } from '@temporalio/activity';

/**
 * What one activity does: run a process, or only wait (Temporal's part alone). With `gate`, at
 * most that many of its workflow's activities do it at once on this worker; the others wait
 * here, already started (`--prefetch`).
 */
export type FloorWork = ({ readonly argv: readonly string[] } | { readonly pauseMs: number }) & {
  readonly gate?: number;
};

/** Epoch ms, with the sub-ms part: the floor's links are a few ms long. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

export interface LaunchStamps {
  /** Just before the spawn. */
  readonly spawnedAt: number;
  /** When the worker saw the exit. */
  readonly exitedAt: number;
}

/** Per workflow: how many of its activities hold the gate, and who waits for it, first come first served. */
const gates = new Map<string, { holders: number; waiting: (() => void)[] }>();

async function passGate(key: string, capacity: number): Promise<() => void> {
  const gate = gates.get(key) ?? { holders: 0, waiting: [] };
  gates.set(key, gate);
  if (gate.holders < capacity) gate.holders += 1;
  else await new Promise<void>((resolve) => gate.waiting.push(resolve));
  // A waiter woken by release() inherits the releaser's place, so holders never changes there.
  return () => {
    const next = gate.waiting.shift();
    if (next !== undefined) next();
    else if (--gate.holders === 0) gates.delete(key);
  };
}

export async function launch(work: FloorWork): Promise<LaunchStamps> {
  if (work.gate === undefined) return run(work);
  const release = await passGate(Context.current().info.workflowExecution?.workflowId ?? '', work.gate);
  try {
    return await run(work);
  } finally {
    release();
  }
}

async function run(work: FloorWork): Promise<LaunchStamps> {
  if ('pauseMs' in work) {
    const spawnedAt = preciseNow();
    await delay(work.pauseMs);
    return { spawnedAt, exitedAt: preciseNow() };
  }
  const { argv } = work;
  const [command, ...args] = argv;
  if (command === undefined) throw new Error('launch: empty argv');
  const spawnedAt = preciseNow();
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  const exitedAt = preciseNow();
  if (code !== 0) throw new Error(`${argv.join(' ')} exited with ${String(code)}`);
  return { spawnedAt, exitedAt };
}

export const floorActivities = { launch };
export type FloorActivities = typeof floorActivities;
