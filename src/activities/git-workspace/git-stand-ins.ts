/**
 * STAND-INS, to be deleted when branch git-core provides these functions in src/git (their
 * signatures are the binding ones of the git design); only git-plumbing.ts imports this file.
 * Just enough for the activity tests: no pool, no symlink or submodule enforcement, no checked-out
 * `--into` branch.
 */

import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommitIdentity, FinishGitAnswer } from '../../contracts/git';
import { commitTree, isAncestor } from '../../git/merge';
import { readRef } from '../../git/refs';
import { git } from '../../git/run-git';

export function worktreeRoot(env: Readonly<Record<string, string | undefined>> = process.env): string {
  const set = env.FANOUT_WORKTREES;
  return set !== undefined && set !== '' ? set : `/var/tmp/agent-fanout-${process.getuid?.() ?? 0}`;
}

export function attemptWorktreePath(
  root: string,
  source: string,
  runId: string,
  unitId: string,
  attempt: number,
): string {
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  return path.join(root, `${hash}-${runId}`, unitId, `attempt-${attempt}`);
}

export async function prepareWorktree(
  source: string,
  sha: string,
  worktreePath: string,
): Promise<{ created: boolean }> {
  if ((await lstat(worktreePath).catch(() => null)) !== null) return { created: false };
  await mkdir(path.dirname(worktreePath), { recursive: true });
  await git(['worktree', 'add', '--detach', '--quiet', worktreePath, sha], { cwd: source });
  return { created: true };
}

export async function removeWorktree(source: string, worktreePath: string): Promise<void> {
  if ((await lstat(worktreePath).catch(() => null)) === null) return;
  await git(['worktree', 'remove', '--force', '--force', worktreePath], { cwd: source });
}

export async function commitOutput(
  worktreePath: string,
  start: string,
  commit: { readonly message: string; readonly excluded: readonly string[] },
  identity: CommitIdentity,
): Promise<string> {
  const scratch = await mkdtemp(path.join(tmpdir(), 'fanout-index-'));
  const env = { GIT_INDEX_FILE: path.join(scratch, 'index') };
  try {
    await git(['read-tree', start], { cwd: worktreePath, env });
    const exclusions = commit.excluded.map((prefix) => `:(exclude,top,literal)${prefix}`);
    await git(['add', '--all', '--', ':/', ...exclusions], { cwd: worktreePath, env });
    const tree = await git(['write-tree'], { cwd: worktreePath, env });
    if (tree === (await git(['rev-parse', `${start}^{tree}`], { cwd: worktreePath }))) return start;
    return await commitTree(worktreePath, tree, [start], identity, commit.message);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

export async function outsideChanges(
  source: string,
  start: string,
  output: string,
  allowed: readonly string[],
): Promise<string[]> {
  const listed = await git(['diff', '--name-only', '-z', '--no-renames', start, output], { cwd: source });
  const inside = (file: string): boolean => allowed.some((dir) => file === dir || file.startsWith(`${dir}/`));
  return listed
    .split('\0')
    .filter((file) => file !== '' && !inside(file))
    .sort();
}

export async function pointBranch(source: string, branch: string, sha: string): Promise<void> {
  const ref = `refs/heads/${branch}`;
  const current = await readRef(source, ref);
  if (current === sha) return;
  if (current !== null) throw new Error(`branch ${branch} exists at ${current}; pass another --branch`);
  await git(['update-ref', ref, sha, ''], { cwd: source });
}

export async function moveInto(
  source: string,
  into: string,
  base: string,
  target: string,
  _identity: CommitIdentity,
): Promise<FinishGitAnswer['into']> {
  const ref = `refs/heads/${into}`;
  const current = await readRef(source, ref);
  if (current === null || !(await isAncestor(source, current, target)) || current !== base) {
    return { branch: into, outcome: 'conflict', message: `${into} was left alone` };
  }
  await git(['update-ref', ref, target, current], { cwd: source });
  return { branch: into, outcome: 'fast-forward', message: `${into} fast-forwarded to ${target}` };
}
