/**
 * Where a run's branch refs live: the source checkout (SPEC §9), or the remote through a worker's
 * clone (SPEC §10). The end of a run (its branch, `--into`) moves them through this one interface,
 * every move compare-and-swap.
 */

import { fetchCommits, pushRef, readRemoteRef } from './remote';
import { compareAndSwapRef, readRef } from './refs';
import { git } from './run-git';

export interface RefStore {
  /** The commit a ref holds (present in the repository merges run in afterwards), or null. */
  read(ref: string): Promise<string | null>;
  /** Compare-and-swap, as {@link compareAndSwapRef}. */
  swap(ref: string, sha: string, expected: string | null): Promise<'updated' | 'already'>;
  /** The working tree that has `branch` checked out: moved there with `merge --ff-only`; never on a remote. */
  checkoutOf(branch: string): Promise<string | null>;
  /** The command that deletes a branch, for a message. */
  deleteCommand(branch: string): string;
}

export function localRefs(source: string): RefStore {
  return {
    read: (ref) => readRef(source, ref),
    swap: (ref, sha, expected) => compareAndSwapRef(source, ref, sha, expected),
    checkoutOf: (branch) => checkoutOf(source, branch),
    deleteCommand: (branch) => `git branch -D ${branch}`,
  };
}

/** The remote's refs; a commit read is fetched into `clone`. A bare remote checks nothing out. */
export function remoteRefs(clone: string, url: string): RefStore {
  return {
    read: async (ref) => {
      const sha = await readRemoteRef(clone, url, ref);
      if (sha !== null) await fetchCommits(clone, url, [sha]);
      return sha;
    },
    swap: (ref, sha, expected) => pushRef(clone, url, ref, sha, expected),
    checkoutOf: () => Promise.resolve(null),
    deleteCommand: (branch) => `git push ${url} --delete ${branch}`,
  };
}

/** The working tree (main checkout or linked worktree) that has `branch` checked out, if any. */
async function checkoutOf(source: string, branch: string): Promise<string | null> {
  const listing = await git(['worktree', 'list', '--porcelain', '-z'], { cwd: source });
  let folder: string | null = null;
  for (const field of listing.split('\0')) {
    if (field.startsWith('worktree ')) folder = field.slice('worktree '.length);
    if (field === `branch refs/heads/${branch}`) return folder;
  }
  return null;
}
