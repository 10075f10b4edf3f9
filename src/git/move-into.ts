/**
 * `--into <branch>` (SPEC §9 "End"): moves a person's branch to the run's integration when that
 * is safe — fast-forward, else a clean merge commit — and otherwise leaves it alone and says what
 * to run. A branch checked out somewhere is advanced by `git merge --ff-only` in that checkout, so
 * its files follow and git itself protects uncommitted work there.
 */

import type { CommitIdentity, FinishGitAnswer } from '../contracts/git';
import { short } from './branches';
import { isAncestor, mergeCommits } from './merge';
import { localRefs, type RefStore } from './ref-store';
import { RefMoved } from './refs';
import { GitError, runGit } from './run-git';

type IntoAnswer = NonNullable<FinishGitAnswer['into']>;

/**
 * @param targetName how the messages name the integration (the run's branch); its SHA otherwise.
 * @param refs where the branch is: the source checkout, or a remote (SPEC §10) through `source`, a clone of it.
 */
export async function moveInto(
  source: string,
  into: string,
  base: string,
  target: string,
  identity: CommitIdentity,
  targetName: string = target,
  refs: RefStore = localRefs(source),
): Promise<IntoAnswer> {
  const ref = `refs/heads/${into}`;
  const current = await refs.read(ref);
  if (current === null) {
    await refs.swap(ref, target, null);
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
  const refusal = await advance(refs, into, current, next, identity);
  if (refusal !== null) return conflict(into, `${refusal}. ${yourself}`);
  const how = outcome === 'merge' ? `with a merge commit ${short(next)}` : `to ${short(next)} (fast-forward)`;
  return { branch: into, outcome, message: `Moved '${into}' ${how}.` };
}

function conflict(into: string, why: string): IntoAnswer {
  return { branch: into, outcome: 'conflict', message: `Left '${into}' alone: ${why}` };
}

/** Moves the branch from `current` to `next` (which contains it); the reason when git refuses. */
async function advance(
  refs: RefStore,
  into: string,
  current: string,
  next: string,
  identity: CommitIdentity,
): Promise<string | null> {
  const checkout = await refs.checkoutOf(into);
  if (checkout === null) {
    try {
      await refs.swap(`refs/heads/${into}`, next, current);
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
