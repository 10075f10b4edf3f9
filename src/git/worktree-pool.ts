/**
 * Released working trees kept per source checkout, so that the next attempt re-points one
 * (`checkout -f`, `clean -ffdx`: only what differs is written) instead of writing every file of a
 * big repository again. A pooled tree is still a registered worktree, parked under
 * `<worktree root>/.pool/<source key>/`; `git worktree move` (a rename) is what claims it, so two
 * attempts never get the same one.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { GitError, runGit } from './run-git';
import { sourceKey } from './worktree-paths';

/** Trees kept per source (`FANOUT_WORKTREE_POOL`, default 4; 0 turns reuse off); more are deleted. */
function poolSize(): number {
  const size = Number(process.env.FANOUT_WORKTREE_POOL ?? 4);
  return Number.isInteger(size) && size >= 0 ? size : 4;
}

/** Runs no hook of the user's repository in a tree agent-fanout manages. */
export const NO_HOOKS = ['-c', 'core.hooksPath=/dev/null'];

/**
 * `<root>/.pool/<source key>/` for a tree laid out as attemptWorktreePath makes them
 * (`<root>/<source>-<16 hex>/<unit>/<attempt>`), so the pool follows the root the caller chose;
 * null (no reuse) for a tree anywhere else.
 */
function poolFolder(source: string, worktree: string): string | null {
  const attempt = path.basename(worktree);
  const runFolder = path.basename(path.dirname(path.dirname(worktree)));
  if (!/^[0-9]+$/.test(attempt) || !/-[0-9a-f]{16}$/.test(runFolder)) return null;
  return path.join(path.dirname(path.dirname(path.dirname(worktree))), '.pool', sourceKey(source));
}

async function pooledTrees(pool: string): Promise<string[]> {
  try {
    return (await readdir(pool)).map((name) => path.join(pool, name));
  } catch {
    return [];
  }
}

/**
 * Deletes parked trees whose repository is gone (a deleted checkout's pool would otherwise stay
 * on disk for good): their `.git` file names a git folder that no longer exists.
 */
async function sweepOrphans(pools: string): Promise<void> {
  const keys = await readdir(pools).catch(() => [] as string[]);
  for (const key of keys) {
    const entries = await readdir(path.join(pools, key)).catch(() => [] as string[]);
    for (const entry of entries) {
      const tree = path.join(pools, key, entry);
      const link = await readFile(path.join(tree, '.git'), 'utf8').catch(() => '');
      const gitDir = /^gitdir: (.*)$/m.exec(link)?.[1];
      const alive =
        gitDir !== undefined &&
        (await stat(gitDir).then(
          () => true,
          () => false,
        ));
      if (!alive) await rm(tree, { recursive: true, force: true });
    }
  }
}

/** Moves a released tree into the pool; false when the pool is full or git will not move it. */
export async function parkWorktree(source: string, worktree: string): Promise<boolean> {
  const pool = poolFolder(source, worktree);
  if (pool === null) return false;
  await sweepOrphans(path.dirname(pool));
  if ((await pooledTrees(pool)).length >= poolSize()) return false;
  await mkdir(pool, { recursive: true, mode: 0o700 });
  const parked = path.join(pool, `${Date.now()}-${randomBytes(4).toString('hex')}`);
  try {
    // A branch the agent checked out must not stay checked out in a parked tree.
    await runGit([...NO_HOOKS, 'checkout', '-q', '--detach'], { cwd: worktree });
    await runGit(['worktree', 'move', worktree, parked], { cwd: source });
    return true;
  } catch (error) {
    if (error instanceof GitError) return false;
    throw error;
  }
}

/**
 * Claims a pooled tree, moves it to `worktree` and makes it a clean detached checkout of `sha`
 * (no file of the previous use left, ignored ones included). False when none could be reused.
 */
export async function reuseWorktree(source: string, sha: string, worktree: string): Promise<boolean> {
  const pool = poolFolder(source, worktree);
  for (const parked of pool === null ? [] : await pooledTrees(pool)) {
    try {
      await runGit(['worktree', 'move', parked, worktree], { cwd: source });
    } catch (error) {
      if (error instanceof GitError) continue; // claimed by another attempt, or not a tree any more
      throw error;
    }
    try {
      await runGit([...NO_HOOKS, 'checkout', '-q', '-f', '--detach', sha], { cwd: worktree });
      await runGit(['clean', '-q', '-ffdx'], { cwd: worktree });
      return true;
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      await runGit(['worktree', 'remove', '--force', '--force', worktree], { cwd: source, okCodes: [128] });
      return false;
    }
  }
  return false;
}
