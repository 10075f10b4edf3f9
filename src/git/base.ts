/** The commit a git run starts from (SPEC §9 "Base"), resolved on the client. */

import { GitError, git, runGit } from './run-git';

export type BaseAnswer =
  | { readonly kind: 'resolved'; readonly sha: string }
  | { readonly kind: 'no-commit' }
  | { readonly kind: 'unknown-revision'; readonly rev: string }
  | { readonly kind: 'not-a-repository' };

/** `rev` (default HEAD) as a full commit SHA, or why it cannot be one. */
export async function resolveBase(repo: string, rev = 'HEAD'): Promise<BaseAnswer> {
  try {
    await git(['rev-parse', '--git-dir'], { cwd: repo });
  } catch (error) {
    if (error instanceof GitError) return { kind: 'not-a-repository' };
    throw error;
  }
  const found = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], {
    cwd: repo,
    okCodes: [1],
  });
  if (found.code === 0) return { kind: 'resolved', sha: found.stdout.trim() };
  if (rev === 'HEAD') return { kind: 'no-commit' };
  return { kind: 'unknown-revision', rev };
}

/**
 * How many paths `git status` reports as changed or untracked, outside the given prefixes
 * (the run's own `.agent/` output does not count as the user's work).
 */
export async function uncommittedCount(
  repo: string,
  ignoredPrefixes: readonly string[] = [],
): Promise<number> {
  const { stdout } = await runGit(['status', '--porcelain=v1', '-z', '--untracked-files=normal'], {
    cwd: repo,
  });
  const entries = stdout.split('\0');
  if (entries.at(-1) === '') entries.pop();
  let count = 0;
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index] ?? '';
    // A rename or copy is followed by its source path as an entry of its own.
    if (entry[0] === 'R' || entry[0] === 'C') index += 1;
    const file = entry.slice(3);
    if (!ignoredPrefixes.some((prefix) => file === prefix || file.startsWith(`${prefix}/`))) count += 1;
  }
  return count;
}
