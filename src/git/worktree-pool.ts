/**
 * Released working trees kept per source checkout, so that the next attempt re-points one instead
 * of writing every file of a big repository again. A pooled tree is still a registered worktree,
 * parked under `<worktree root>/.pool/<source key>/` as `dirty-<id>` (just released; its scrub runs
 * in the background, see pool-scrub.ts) then `ready-<id>` (clean, index fresh). `git worktree move`
 * (a rename) is what claims it, so two attempts never get the same one.
 */

import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { NO_HOOKS, discardTree, isScrubbing, scrubFinishedIn, startScrub } from './pool-scrub';
import { GitError, git, runGit } from './run-git';
import { sourceKey } from './worktree-paths';
import { worktreeGit } from './worktree-admin';

export { NO_HOOKS, settledPool } from './pool-scrub';

/** Trees kept per source (`FANOUT_WORKTREE_POOL`, default 4; 0 turns reuse off); more are deleted. */
function poolSize(): number {
  const size = Number(process.env.FANOUT_WORKTREE_POOL ?? 4);
  return Number.isInteger(size) && size >= 0 ? size : 4;
}

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
    return (await readdir(pool)).sort().map((name) => path.join(pool, name));
  } catch {
    return [];
  }
}

/**
 * The trees an attempt may claim, best first: scrubbed ones, then dirty ones no scrub of this
 * process is working on (left by a worker that stopped mid-scrub; the claimer scrubs them inline).
 */
async function claimable(pool: string): Promise<{ tree: string; ready: boolean }[]> {
  const trees = await pooledTrees(pool);
  const isReady = (tree: string): boolean => path.basename(tree).startsWith('ready-');
  return [
    ...trees.filter(isReady).map((tree) => ({ tree, ready: true })),
    ...trees.filter((tree) => !isReady(tree) && !isScrubbing(tree)).map((tree) => ({ tree, ready: false })),
  ];
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

/**
 * Moves a released tree into the pool as `dirty-<id>` and starts its scrub without waiting for it
 * (settledPool awaits it); false when the pool is full or git will not move it.
 */
export async function parkWorktree(source: string, worktree: string): Promise<boolean> {
  const pool = poolFolder(source, worktree);
  if (pool === null) return false;
  await sweepOrphans(path.dirname(pool));
  const dirty = await oneAtATime(pool, () => moveIntoPool(source, worktree, pool));
  if (dirty === null) return false;
  startScrub(source, dirty, path.join(pool, `ready-${dirty.slice(dirty.lastIndexOf('dirty-') + 6)}`));
  return true;
}

const poolQueues = new Map<string, Promise<unknown>>();

/** Runs `step` after the earlier steps on `pool` of this process, so that releases at once keep the size. */
function oneAtATime<T>(pool: string, step: () => Promise<T>): Promise<T> {
  const run = (poolQueues.get(pool) ?? Promise.resolve()).then(step, step);
  const tail = run.catch(() => undefined);
  poolQueues.set(pool, tail);
  void tail.then(() => {
    if (poolQueues.get(pool) === tail) poolQueues.delete(pool);
  });
  return run;
}

/** The tree's new path in the pool (`dirty-<id>`), or null when the pool is full or git will not move it. */
async function moveIntoPool(source: string, worktree: string, pool: string): Promise<string | null> {
  if ((await pooledTrees(pool)).length >= poolSize()) return null;
  await mkdir(pool, { recursive: true, mode: 0o700 });
  const dirty = path.join(pool, `dirty-${Date.now()}-${randomBytes(4).toString('hex')}`);
  try {
    // A branch the agent checked out must not stay checked out in a parked tree; update-ref
    // detaches without walking the files as `checkout --detach` would.
    const head = await git(['rev-parse', 'HEAD'], { cwd: worktree });
    await runGit(['update-ref', '--no-deref', 'HEAD', head], { cwd: worktree });
    await worktreeGit(source, ['worktree', 'move', worktree, dirty]);
    return dirty;
  } catch (error) {
    if (error instanceof GitError) return null;
    throw error;
  }
}

/**
 * Claims a pooled tree, moves it to `worktree` and makes it a clean detached checkout of `sha`
 * (no file of the previous use left, ignored ones included). A tree that cannot be re-pointed is
 * deleted and the next one tried; with none free but some being scrubbed here, waits for a scrub.
 * False when none could be reused.
 */
export async function reuseWorktree(source: string, sha: string, worktree: string): Promise<boolean> {
  const pool = poolSize() === 0 ? null : poolFolder(source, worktree);
  if (pool === null) return false;
  do {
    for (const { tree, ready } of await claimable(pool)) {
      try {
        await worktreeGit(source, ['worktree', 'move', tree, worktree]);
      } catch (error) {
        if (error instanceof GitError) continue; // claimed by another attempt, or not a tree any more
        throw error;
      }
      if (await repoint(worktree, sha, ready)) return true;
      await discardTree(source, worktree);
    }
  } while (await scrubFinishedIn(pool));
  return false;
}

/**
 * Makes a claimed tree a clean detached checkout of `sha`. A ready tree is clean at its HEAD, so a
 * two-tree merge writes only the paths that differ between HEAD and `sha`; a dirty one (or a merge
 * that fails) gets `checkout -f` + `clean -ffdx`, which walk every file.
 */
async function repoint(worktree: string, sha: string, ready: boolean): Promise<boolean> {
  try {
    if (ready) {
      try {
        const head = await git(['rev-parse', 'HEAD'], { cwd: worktree });
        await runGit([...NO_HOOKS, 'read-tree', '-m', '-u', head, sha], { cwd: worktree });
        await runGit(['update-ref', '--no-deref', 'HEAD', sha], { cwd: worktree });
        return true;
      } catch (error) {
        if (!(error instanceof GitError)) throw error;
      }
    }
    await runGit([...NO_HOOKS, 'checkout', '-q', '-f', '--detach', sha], { cwd: worktree });
    await runGit(['clean', '-q', '-ffdx'], { cwd: worktree });
    return true;
  } catch (error) {
    if (error instanceof GitError) return false;
    throw error;
  }
}
