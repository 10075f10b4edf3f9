/**
 * The floor's one activity: start a process, wait for its exit. No namespace, evidence,
 * containment, heartbeat or log: what any coordinator on Temporal pays to run a process.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';

/** What one activity does: run a process, or only wait (Temporal's part alone). */
export type FloorWork = { readonly argv: readonly string[] } | { readonly pauseMs: number };

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

export async function launch(work: FloorWork): Promise<LaunchStamps> {
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
