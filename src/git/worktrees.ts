/** An attempt's working tree (SPEC §9 "Workspace"): made, adopted by a retried activity, removed. */

import { mkdir, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isAncestor } from './merge';
import { GitError, git, runGit } from './run-git';
import { NO_HOOKS, parkWorktree, reuseWorktree } from './worktree-pool';
import { realOrResolved } from './worktree-paths';

export { settledPool } from './worktree-pool';

async function exists(folder: string): Promise<boolean> {
  try {
    await stat(folder);
    return true;
  } catch {
    return false;
  }
}

/**
 * The shared git folder of a repository or working tree, or null when `folder` is not the top of
 * one. A bare repository (a remote run's clone, SPEC §10) is its own git folder.
 */
async function commonDir(folder: string): Promise<string | null> {
  try {
    const out = await git(['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-common-dir'], {
      cwd: folder,
    });
    const [top = '', common = ''] = out.split('\n');
    return realOrResolved(top) === realOrResolved(folder) ? realOrResolved(common) : null;
  } catch (error) {
    if (error instanceof GitError) return bareGitDir(folder);
    throw error;
  }
}

/** `folder` itself when it is a bare repository (it has no top level), else null. */
async function bareGitDir(folder: string): Promise<string | null> {
  const { stdout, code } = await runGit(
    ['rev-parse', '--path-format=absolute', '--is-bare-repository', '--git-dir'],
    {
      cwd: folder,
      okCodes: [128],
    },
  );
  const [bare = '', gitDir = ''] = stdout.trim().split('\n');
  if (code !== 0 || bare !== 'true') return null;
  return realOrResolved(gitDir) === realOrResolved(folder) ? realOrResolved(gitDir) : null;
}

/** Whether `worktree` is a working tree of `source` whose HEAD is `sha` or built on it. */
async function isAdoptable(source: string, sha: string, worktree: string): Promise<boolean> {
  const [own, theirs] = await Promise.all([commonDir(worktree), commonDir(source)]);
  if (own === null || own !== theirs) return false;
  const head = await git(['rev-parse', 'HEAD'], { cwd: worktree });
  return isAncestor(source, sha, head);
}

/**
 * A detached working tree of `sha` at `worktree`. One already there for this attempt (a retried
 * activity) is kept as it is — the agent may have worked in it — and answers `created: false`.
 * Else a released tree of the same source is re-pointed when there is one, or a new one is added.
 */
export async function prepareWorktree(
  source: string,
  sha: string,
  worktree: string,
): Promise<{ created: boolean }> {
  if (await exists(worktree)) {
    if (await isAdoptable(source, sha, worktree)) return { created: false };
    await deleteWorktree(source, worktree);
  }
  await mkdir(path.dirname(worktree), { recursive: true, mode: 0o700 });
  if (!(await reuseWorktree(source, sha, worktree))) {
    await runGit([...NO_HOOKS, 'worktree', 'add', '-q', '-f', '--detach', worktree, sha], { cwd: source });
  }
  return { created: true };
}

/**
 * Releases an attempt's working tree: parked in the pool for reuse, or deleted. Either way the
 * path is gone afterwards and git forgets a tree whose folder is missing. Missing already = fine.
 */
export async function removeWorktree(source: string, worktree: string): Promise<void> {
  if (await exists(worktree)) {
    const ours = (await commonDir(worktree)) === (await commonDir(source));
    if (!ours || !(await parkWorktree(source, worktree))) await deleteWorktree(source, worktree);
  }
  await runGit(['worktree', 'prune'], { cwd: source });
  await removeEmptyParents(worktree, 2);
}

async function deleteWorktree(source: string, worktree: string): Promise<void> {
  await runGit(['worktree', 'remove', '--force', '--force', worktree], { cwd: source, okCodes: [128] });
  // A tree git would not remove (a file it cannot delete, or not a tree at all) goes anyway.
  await rm(worktree, { recursive: true, force: true });
  await runGit(['worktree', 'prune'], { cwd: source });
}

/** The unit and run folders above a tree, once nothing is left in them. */
async function removeEmptyParents(worktree: string, levels: number): Promise<void> {
  let folder = path.dirname(worktree);
  for (let level = 0; level < levels; level += 1) {
    try {
      await rmdir(folder);
    } catch {
      return;
    }
    folder = path.dirname(folder);
  }
}
