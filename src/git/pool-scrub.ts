/**
 * The scrub of a released tree, run after its attempt has let it go: `reset --hard` and
 * `clean -ffdx` walk every file of the tree (hundreds of ms at 100,000 files), so they happen here
 * instead of on the next attempt's path. A scrubbed tree is renamed `dirty-<id>` → `ready-<id>`.
 */

import { rm } from 'node:fs/promises';
import path from 'node:path';
import { runGit } from './run-git';
import { worktreeGit } from './worktree-admin';

/** Runs no hook of the user's repository in a tree agent-fanout manages. */
export const NO_HOOKS = ['-c', 'core.hooksPath=/dev/null'];

const pending = new Set<Promise<void>>();
/** Parked tree → its scrub in progress in this process. */
const scrubbing = new Map<string, Promise<void>>();

/** Whether this process is scrubbing the parked tree at `tree` (not free to claim). */
export function isScrubbing(tree: string): boolean {
  return scrubbing.has(tree);
}

/**
 * Resolves when one of this process's scrubs in `pool` finishes; false at once when none runs.
 * Waiting for a scrub (hundreds of ms) beats adding a tree (tens of seconds at 100,000 files).
 */
export async function scrubFinishedIn(pool: string): Promise<boolean> {
  const inPool = [...scrubbing].filter(([tree]) => path.dirname(tree) === pool).map(([, done]) => done);
  if (inPool.length === 0) return false;
  await Promise.race(inPool);
  return true;
}

/** Resolves once every scrub this process started has finished (tests, worker shutdown). */
export async function settledPool(): Promise<void> {
  while (pending.size > 0) await Promise.all([...pending]);
}

/** Makes `tree` its HEAD commit exactly: no change, untracked or ignored file left. */
export async function scrubTree(tree: string): Promise<void> {
  await runGit([...NO_HOOKS, 'reset', '-q', '--hard'], { cwd: tree });
  await runGit([...NO_HOOKS, 'clean', '-q', '-ffdx'], { cwd: tree });
}

/** Deletes a tree git may or may not still know; never throws for a tree already gone. */
export async function discardTree(source: string, tree: string): Promise<void> {
  await worktreeGit(source, ['worktree', 'remove', '--force', '--force', tree], { okCodes: [128] });
  await rm(tree, { recursive: true, force: true });
}

/** Starts the scrub of `dirty` without waiting for it; a tree whose scrub fails is deleted. */
export function startScrub(source: string, dirty: string, ready: string): void {
  const done = scrubAndMove(source, dirty, ready).finally(() => {
    scrubbing.delete(dirty);
    pending.delete(done);
  });
  scrubbing.set(dirty, done);
  pending.add(done);
}

async function scrubAndMove(source: string, dirty: string, ready: string): Promise<void> {
  try {
    await scrubTree(dirty);
    await worktreeGit(source, ['worktree', 'move', dirty, ready]);
  } catch {
    // Nobody awaits this promise: a failure must end here, with the half-scrubbed tree gone.
    await discardTree(source, dirty).catch(() => undefined);
  }
}
