/**
 * The activity that ends a git run (SPEC §9 "End"): its branch points at the integration, and,
 * for a run that succeeded with `--into`, that branch is moved too (fast-forward, merge commit, or
 * left alone with a message). Both steps are safe to repeat: a retried activity finds the branch
 * already there and `into` already holding the integration. In a remote run (SPEC §10) both are
 * pushed to the remote with leases, from the worker's clone.
 */

import { ApplicationFailure } from '@temporalio/common';
import { realpath } from 'node:fs/promises';
import type { FinishGitAnswer, FinishGitInput } from '../../contracts/git';
import {
  fetchCommits,
  GitError,
  localRefs,
  moveInto,
  pointBranch,
  remoteRefs,
  RemoteUnreachable,
  type RefStore,
} from './git-plumbing';
import { cloneOf, reachingRemote, type WorkerDeps } from './remote-clone';

/** @param deps the worker's host (its work directory holds the clone of a remote run's remote). */
export async function finishGitRun(input: FinishGitInput, deps: WorkerDeps = {}): Promise<FinishGitAnswer> {
  const url = input.remote;
  if (url === undefined) {
    const source = await realpath(input.repo);
    return finishIn(source, input, localRefs(source));
  }
  return reachingRemote(async () => {
    const clone = await cloneOf(deps, url);
    await fetchCommits(clone, url, [input.base, input.integration]);
    return finishIn(clone, input, remoteRefs(clone, url));
  });
}

async function finishIn(source: string, input: FinishGitInput, refs: RefStore): Promise<FinishGitAnswer> {
  try {
    await pointBranch(source, input.branch, input.integration, refs);
  } catch (error) {
    // A git fault or an unreachable remote: the activity is tried again.
    if (error instanceof GitError || error instanceof RemoteUnreachable) throw error;
    // The branch exists at another commit: repeating cannot help; the run's refs still hold its work.
    throw ApplicationFailure.create({
      message: (error as Error).message,
      type: 'RunBranchTaken',
      nonRetryable: true,
    });
  }
  if (input.into === undefined) return { branch: input.branch };
  const into = await moveInto(
    source,
    input.into,
    input.base,
    input.integration,
    input.identity,
    input.integration,
    refs,
  );
  return into === undefined ? { branch: input.branch } : { branch: input.branch, into };
}
