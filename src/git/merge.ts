/**
 * Merging two commits without a working tree or an index: `merge-tree --write-tree` makes the
 * tree, `commit-tree` the commit. The building block of starting points, the integration and
 * `--into`.
 */

import type { CommitIdentity } from '../contracts/git';
import { identityEnv } from './identity';
import { git, runGit } from './run-git';

export type MergeAnswer =
  | { readonly kind: 'ok'; readonly sha: string; readonly how: 'contained' | 'fast-forward' | 'merge' }
  | { readonly kind: 'conflict'; readonly paths: readonly string[] };

/** Whether `ancestor` is `descendant` or one of its ancestors. */
export async function isAncestor(repo: string, ancestor: string, descendant: string): Promise<boolean> {
  if (ancestor === descendant) return true;
  const { code } = await runGit(['merge-base', '--is-ancestor', ancestor, descendant], {
    cwd: repo,
    okCodes: [1],
  });
  return code === 0;
}

/** One commit holding `ours` and `theirs`: the one that contains the other, else a merge commit. */
export async function mergeCommits(
  repo: string,
  ours: string,
  theirs: string,
  identity: CommitIdentity,
  message: string,
): Promise<MergeAnswer> {
  if (await isAncestor(repo, theirs, ours)) return { kind: 'ok', sha: ours, how: 'contained' };
  if (await isAncestor(repo, ours, theirs)) return { kind: 'ok', sha: theirs, how: 'fast-forward' };
  const merged = await runGit(
    ['merge-tree', '--write-tree', '--name-only', '--no-messages', '-z', ours, theirs],
    { cwd: repo, okCodes: [1] },
  );
  // -z: the tree, then (on a conflict) each conflicted path, every field ended by NUL.
  const [tree = '', ...rest] = merged.stdout.split('\0');
  if (merged.code === 1) {
    const paths = [...new Set(rest.filter((entry) => entry !== ''))].sort();
    return { kind: 'conflict', paths };
  }
  const sha = await commitTree(repo, tree.trim(), [ours, theirs], identity, message);
  return { kind: 'ok', sha, how: 'merge' };
}

/** A commit of `tree` with these parents, by the run's identity (same input ⇒ same SHA). */
export function commitTree(
  repo: string,
  tree: string,
  parents: readonly string[],
  identity: CommitIdentity,
  message: string,
): Promise<string> {
  const parentArgs = parents.flatMap((parent) => ['-p', parent]);
  return git(['commit-tree', '--no-gpg-sign', tree, ...parentArgs], {
    cwd: repo,
    env: identityEnv(identity),
    input: message.endsWith('\n') ? message : `${message}\n`,
  });
}
