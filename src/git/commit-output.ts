/** A unit's output commit (SPEC §9 "Output"): agent-fanout, not the agent, commits the work. */

import { copyFile, rm } from 'node:fs/promises';
import type { CommitIdentity } from '../contracts/git';
import { commitTree } from './merge';
import { GitError, git, runGit } from './run-git';

export interface OutputCommit {
  readonly message: string;
  /** Repo-relative prefixes never committed: the namespace root, `agent.writable` entries. */
  readonly excluded: readonly string[];
}

/**
 * Every change in the working tree — added, modified, deleted — outside `excluded`, as one commit
 * whose only parent is `start`: commits the agent made are squashed into it, since only the final
 * files count. Returns `start` when nothing changed. The same files give the same SHA, so a
 * retried activity commits nothing twice.
 *
 * Files git ignores (.gitignore, info/exclude) and were not tracked at `start` are not part of
 * the output: they are build products and caches, exactly what a person's `git add -A` leaves out.
 *
 * The tree is built in a temporary index (GIT_INDEX_FILE) seeded from the tree's own index for
 * its file stat data, so only changed files are hashed; the working tree's real index is untouched.
 */
export async function commitOutput(
  worktree: string,
  start: string,
  output: OutputCommit,
  identity: CommitIdentity,
): Promise<string> {
  const index = await git(['rev-parse', '--path-format=absolute', '--git-path', 'fanout-output-index'], {
    cwd: worktree,
  });
  const env = { GIT_INDEX_FILE: index };
  try {
    await seedIndex(worktree, start, index);
    const excluded = await notIgnored(worktree, output.excluded);
    await runGit(['add', '-A', '--', ':/', ...excluded.map(excludeSpec)], { cwd: worktree, env });
    const tree = await git(['write-tree'], { cwd: worktree, env });
    const startTree = await git(['rev-parse', `${start}^{tree}`], { cwd: worktree });
    if (tree === startTree) return start;
    return await commitTree(worktree, tree, [start], identity, output.message);
  } finally {
    await rm(index, { force: true });
    await rm(`${index}.lock`, { force: true });
  }
}

/** The index file holds `start`'s tree, with the stat data of the tree's own index where it matches. */
async function seedIndex(worktree: string, start: string, index: string): Promise<void> {
  const own = await git(['rev-parse', '--path-format=absolute', '--git-path', 'index'], { cwd: worktree });
  await rm(index, { force: true });
  try {
    await copyFile(own, index);
    await runGit(['read-tree', '-m', start], { cwd: worktree, env: { GIT_INDEX_FILE: index } });
  } catch (error) {
    if (!(error instanceof GitError) && !isMissingFile(error)) throw error;
    // No index of its own, or one read-tree -m refuses (an unfinished merge): start from scratch.
    await rm(index, { force: true });
    await runGit(['read-tree', start], { cwd: worktree, env: { GIT_INDEX_FILE: index } });
  }
}

/**
 * The prefixes git does not already ignore: naming an ignored path in an exclude pathspec makes
 * `git add` fail ("paths are ignored by one of your .gitignore files"), and `add -A` leaves an
 * ignored prefix out anyway (a checkout whose .gitignore holds `.agent/`, as the README advises).
 */
async function notIgnored(worktree: string, prefixes: readonly string[]): Promise<string[]> {
  if (prefixes.length === 0) return [];
  const { stdout } = await runGit(['check-ignore', '-z', '--stdin'], {
    cwd: worktree,
    input: prefixes.map((prefix) => `${prefix.replace(/\/+$/, '')}\0`).join(''),
    okCodes: [1],
  });
  const ignored = new Set(stdout.split('\0').filter((entry) => entry !== ''));
  return prefixes.filter((prefix) => !ignored.has(prefix.replace(/\/+$/, '')));
}

function isMissingFile(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** A pathspec leaving out one repo-relative prefix, taken literally (no glob). */
function excludeSpec(prefix: string): string {
  const clean = prefix.replace(/^\.\/+/, '').replace(/\/+$/, '');
  return `:(top,literal,exclude)${clean}`;
}
