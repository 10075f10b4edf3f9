/**
 * The activity that ends a git run (SPEC §9 "End"): its branch points at the integration, and,
 * for a run that succeeded with `--into`, that branch is moved too (fast-forward, merge commit, or
 * left alone with a message). Both steps are safe to repeat: a retried activity finds the branch
 * already there and `into` already holding the integration.
 */

import { ApplicationFailure } from '@temporalio/common';
import { realpath } from 'node:fs/promises';
import type { FinishGitAnswer, FinishGitInput } from '../../contracts/git';
import { GitError, moveInto, pointBranch } from './git-plumbing';

export async function finishGitRun(input: FinishGitInput): Promise<FinishGitAnswer> {
  const source = await realpath(input.repo);
  try {
    await pointBranch(source, input.branch, input.integration);
  } catch (error) {
    if (error instanceof GitError) throw error; // a git fault: the activity is tried again
    // The branch exists at another commit: repeating cannot help; the run's refs still hold its work.
    throw ApplicationFailure.create({
      message: (error as Error).message,
      type: 'RunBranchTaken',
      nonRetryable: true,
    });
  }
  if (input.into === undefined) return { branch: input.branch };
  const into = await moveInto(source, input.into, input.base, input.integration, input.identity);
  return into === undefined ? { branch: input.branch } : { branch: input.branch, into };
}
