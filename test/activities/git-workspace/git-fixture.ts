/**
 * Fixtures for the git-workspace activity tests: a source checkout with one commit, a folder of
 * working trees of its own (FANOUT_WORKTREES), and a git attempt's input.
 */

import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { GitAttempt, StartingInput } from '../../../src/contracts/git';
import type { AttemptInput } from '../../../src/activities/types';
import type { UnitSettings, WorkUnit } from '../../../src/plan/types';
import { IDENTITY, gitIn, makeRepo, removeRepo, write } from '../../git/git-repo';
import { attemptInput } from '../helpers';

export { gitIn };

const folders: string[] = [];

export interface GitFixture {
  /** The source checkout: `README.md` committed on main. */
  readonly source: string;
  readonly base: string;
  /** FANOUT_WORKTREES of this test. */
  readonly worktrees: string;
  /** A scratch folder outside every repository (count files, pause markers). */
  readonly scratch: string;
  /** The worker environment the attempt gets. */
  readonly env: Record<string, string | undefined>;
}

export function gitFixture(): GitFixture {
  const source = makeRepo('fanout-gitact-');
  write(source, { 'README.md': 'hello\n', 'src/keep.txt': 'kept\n' });
  gitIn(source, 'add', '.');
  gitIn(source, 'commit', '-q', '-m', 'base');
  const worktrees = realpathSync(mkdtempSync(path.join(tmpdir(), 'fanout-trees-')));
  const scratch = realpathSync(mkdtempSync(path.join(tmpdir(), 'fanout-scratch-')));
  folders.push(source, worktrees, scratch);
  return {
    source,
    base: gitIn(source, 'rev-parse', 'HEAD'),
    worktrees,
    scratch,
    env: { ...process.env, FANOUT_WORKTREES: worktrees },
  };
}

export function removeGitFixtures(): void {
  for (const folder of folders.splice(0)) {
    if (existsSync(path.join(folder, '.git'))) removeRepo(folder);
    else rmSync(folder, { recursive: true, force: true });
  }
}

export function gitInput(
  fixture: GitFixture,
  workUnit: WorkUnit,
  unitSettings: UnitSettings,
  options: { attempt?: number; merges?: StartingInput[]; keepFailed?: boolean } = {},
): AttemptInput {
  const git: GitAttempt = {
    base: fixture.base,
    merges: options.merges ?? [],
    keepFailed: options.keepFailed ?? false,
    identity: IDENTITY,
  };
  return { ...attemptInput(fixture.source, workUnit, unitSettings, options.attempt ?? 1), git };
}

/** What `git status` reports in the source checkout, outside `.agent/`. */
export function sourceStatus(fixture: GitFixture): string[] {
  return gitIn(fixture.source, 'status', '--porcelain', '--untracked-files=all')
    .split('\n')
    .filter((line) => line !== '' && !line.slice(3).startsWith('.agent/'));
}

/** The working trees git knows of the source checkout (its own checkout and pooled ones included). */
export function registeredTrees(fixture: GitFixture): string[] {
  return gitIn(fixture.source, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length));
}

/** The SHA a ref holds, or null. */
export function refValue(fixture: GitFixture, ref: string): string | null {
  try {
    return gitIn(fixture.source, 'rev-parse', '--verify', '--quiet', ref);
  } catch {
    return null;
  }
}

/** The files a commit changed against its first parent, sorted. */
export function changedBy(fixture: GitFixture, sha: string): string[] {
  return gitIn(fixture.source, 'diff', '--name-only', `${sha}^`, sha)
    .split('\n')
    .filter((name) => name !== '')
    .sort();
}

export function evidenceFile(fixture: GitFixture, unitId: string, file: string): string {
  return readFileSync(path.join(fixture.source, '.agent/runs/fanout-test-run', unitId, file), 'utf8');
}

export function lines(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}
