/**
 * `--into <branch>` (SPEC §9 "End"): moves a person's branch to the run's integration when that
 * is safe — fast-forward, else a clean merge commit — and otherwise leaves it alone and says what
 * to run. A branch checked out somewhere is advanced by `git merge --ff-only` in that checkout, so
 * its files follow and git itself protects uncommitted work there.
 */

import type { CommitIdentity, FinishGitAnswer } from '../contracts/git';
import { short } from './branches';
import { isAncestor, mergeCommits } from './merge';
import { RefMoved, compareAndSwapRef, readRef } from './refs';
import { GitError, git, runGit } from './run-git';

type IntoAnswer = NonNullable<FinishGitAnswer['into']>;

/**
 * @param targetName how the messages name the integration (the run's branch); its SHA otherwise.
 */
export async function moveInto(
  source: string,
  into: string,
  base: string,
  target: string,
  identity: CommitIdentity,
  targetName: string = target,
): Promise<IntoAnswer> {
  const ref = `refs/heads/${into}`;
  const current = await readRef(source, ref);
  if (current === null) {
    await compareAndSwapRef(source, ref, target, null);
    return { branch: into, outcome: 'created', message: `Created '${into}' at ${short(target)}.` };
  }
  if (await isAncestor(source, target, current)) {
    return { branch: into, outcome: 'unchanged', message: `'${into}' already contains ${targetName}.` };
  }
  const yourself = `To merge it yourself: git switch ${into} && git merge ${targetName}`;
  let next = target;
  let outcome: IntoAnswer['outcome'] = 'fast-forward';
  if (current !== base && !(await isAncestor(source, current, target))) {
    const merged = await mergeCommits(source, current, target, identity, `Merge ${targetName} into ${into}`);
    if (merged.kind === 'conflict') {
      const paths = merged.paths.join(', ');
      return conflict(into, `merging ${targetName} into it conflicts in ${paths}. ${yourself}`);
    }
    next = merged.sha;
    outcome = 'merge';
  }
  const refusal = await advance(source, into, current, next, identity);
  if (refusal !== null) return conflict(into, `${refusal}. ${yourself}`);
  const how = outcome === 'merge' ? `with a merge commit ${short(next)}` : `to ${short(next)} (fast-forward)`;
  return { branch: into, outcome, message: `Moved '${into}' ${how}.` };
}

function conflict(into: string, why: string): IntoAnswer {
  return { branch: into, outcome: 'conflict', message: `Left '${into}' alone: ${why}` };
}

/** Moves the branch from `current` to `next` (which contains it); the reason when git refuses. */
async function advance(
  source: string,
  into: string,
  current: string,
  next: string,
  identity: CommitIdentity,
): Promise<string | null> {
  const checkout = await checkoutOf(source, into);
  if (checkout === null) {
    try {
      await compareAndSwapRef(source, `refs/heads/${into}`, next, current);
      return null;
    } catch (error) {
      if (error instanceof RefMoved) return `it moved to ${short(error.actual)} while the run finished`;
      throw error;
    }
  }
  try {
    // The reflog entry needs a committer even for a fast-forward; the person's own config may lack one.
    const env = { GIT_COMMITTER_NAME: identity.name, GIT_COMMITTER_EMAIL: identity.email };
    await runGit(['merge', '--ff-only', '--no-edit', '-q', next], { cwd: checkout, env });
    return null;
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    const reason = error.stderr.trim().split('\n').slice(0, 3).join(' ');
    return `it is checked out in ${checkout} and git refused to update it there (${reason})`;
  }
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
