/**
 * The run store of a remote run (SPEC §10): its workers share no disk, so each stored file is a
 * one-file commit pushed to `refs/fanout/<workflow id>/store/<first run id>/<name>` on the remote,
 * and its stored path is `git:<that ref>`. The commit has no parent and carries the run's identity
 * and date, so an activity retried after a crash makes the same commit and finds it pushed.
 */

import { ApplicationFailure } from '@temporalio/common';
import type { CommitIdentity } from '../../contracts/git';
import { fileInStoreCommit, GIT_PATH_PREFIX, refOfGitPath } from '../../contracts/run-store-refs';
import {
  commitFiles,
  fetchCommits,
  pushRef,
  readRemoteRef,
  RefMoved,
  runGit,
} from '../git-workspace/git-plumbing';
import { cloneOf, reachingRemote, type WorkerDeps } from '../git-workspace/remote-clone';

/** Where a remote run keeps its store: the run's remote, and the identity its commits carry. */
export interface RunStoreRemote {
  readonly url: string;
  readonly identity: CommitIdentity;
}

/** Pushes `text` as the one file of a commit to `ref`; answers its stored path, `git:<ref>`. */
export function storeOnRemote(
  remote: RunStoreRemote,
  ref: string,
  text: string,
  deps: WorkerDeps,
): Promise<string> {
  const file = { path: fileInStoreCommit(ref), content: Buffer.from(text) };
  return reachingRemote(async () => {
    const clone = await cloneOf(deps, remote.url);
    const sha = await commitFiles(clone, [file], null, remote.identity, `Run store: ${ref}\n`);
    try {
      await pushRef(clone, remote.url, ref, sha, null);
    } catch (error) {
      if (!(error instanceof RefMoved)) throw error;
      throw ApplicationFailure.nonRetryable(
        `${ref} on ${remote.url} already holds ${error.actual ?? 'another commit'}, not this run's ${sha}; ` +
          `the run store was written by something else, so the run's result cannot be trusted`,
        'RunStoreCorrupt',
      );
    }
    return `${GIT_PATH_PREFIX}${ref}`;
  });
}

/** The text a `git:<ref>` path holds, fetched from `url` into the worker's clone. */
export function readFromRemote(file: string, url: string, deps: WorkerDeps): Promise<string> {
  const ref = refOfGitPath(file);
  return reachingRemote(async () => {
    const clone = await cloneOf(deps, url);
    const sha = await readRemoteRef(clone, url, ref);
    if (sha === null) {
      throw ApplicationFailure.nonRetryable(
        `cannot read ${file}: the remote ${url} has no ${ref}; it is part of a stored run result`,
        'RunStoreMissing',
      );
    }
    await fetchCommits(clone, url, [sha]);
    const { stdout } = await runGit(['cat-file', 'blob', `${sha}:${fileInStoreCommit(ref)}`], { cwd: clone });
    return stdout;
  });
}
