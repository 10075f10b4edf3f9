/**
 * Issue 15 "Done when", SPEC §9 "End": `--into main` moves main to the run's integration — a
 * fast-forward when main has not moved since the base, a merge commit when it moved without
 * conflict, and main left alone, with a message saying so, when the merge conflicts (the run's
 * own branch still stands and the run still succeeds). main is the branch checked out in the
 * source checkout, so its files follow it (or stay as they were).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  commitAll,
  gitIn,
  refTarget,
  statusLines,
  treeFiles,
  workingTreesLeft,
  writeFiles,
} from '../helpers/git-repo';
import {
  EVIDENCE,
  gitTestDirs,
  runGit,
  runId,
  sh,
  writePlan,
  type GitTestDirs,
  useGitAcceptance,
} from './git-harness';

const fixture = useGitAcceptance('git-into');

function onePlan(dirs: GitTestDirs, name: string): string {
  return writePlan(dirs, name, [
    {
      unit_id: 'a',
      allowed_directories: ['src/a'],
      command: sh(`mkdir -p src/a; echo from a > src/a/a.txt; ${EVIDENCE}`),
    },
  ]);
}

const mainTip = (dirs: GitTestDirs): string | undefined => refTarget(dirs.repo, 'refs/heads/main');
const checkedOut = (dirs: GitTestDirs, file: string): string =>
  readFileSync(path.join(dirs.repo, file), 'utf8');

describe('--into main', () => {
  it('fast-forwards main when it has not moved since the base', async () => {
    const dirs = gitTestDirs('into-ff');
    const { run, result } = await runGit(
      dirs,
      onePlan(dirs, 'into-ff'),
      fixture.taskQueue,
      runId('into-ff'),
      ['--into', 'main'],
    );
    expect(result.status).toBe('succeeded');
    expect(run.code).toBe(0);
    const git = result.git;
    expect(git?.into).toMatchObject({ branch: 'main', outcome: 'fast-forward' });
    expect(mainTip(dirs)).toBe(git?.integration);
    expect(gitIn(dirs.repo, ['rev-parse', `${git?.integration}^`])).toBe(dirs.base);
    expect(checkedOut(dirs, 'src/a/a.txt')).toBe('from a\n');
    expect(statusLines(dirs.repo)).toEqual(['?? .agent/']);
    expect(workingTreesLeft(dirs.worktrees)).toEqual([]);
  });

  it('makes a merge commit when main moved since the base without conflict', async () => {
    const dirs = gitTestDirs('into-merge');
    writeFiles(dirs.repo, { 'other.txt': 'meanwhile on main\n' });
    const moved = commitAll(dirs.repo, 'main moves on');
    const { run, result } = await runGit(
      dirs,
      onePlan(dirs, 'into-merge'),
      fixture.taskQueue,
      runId('into-merge'),
      ['--base', dirs.base, '--into', 'main'],
    );
    expect(result.status).toBe('succeeded');
    expect(run.code).toBe(0);
    const git = result.git;
    if (git === undefined) throw new Error('the result has no git section');
    expect(git.base).toBe(dirs.base);
    expect(git.into).toMatchObject({ branch: 'main', outcome: 'merge' });
    const tip = mainTip(dirs) ?? '';
    expect(gitIn(dirs.repo, ['show', '-s', '--format=%P', tip]).split(' ')).toEqual([moved, git.integration]);
    expect(treeFiles(dirs.repo, tip)).toEqual(['README.md', 'other.txt', 'src/a/a.txt']);
    expect(refTarget(dirs.repo, `refs/heads/${git.branch}`)).toBe(git.integration);
    expect(checkedOut(dirs, 'src/a/a.txt')).toBe('from a\n');
    expect(statusLines(dirs.repo)).toEqual(['?? .agent/']);
  });

  it('leaves main alone and says so when the merge conflicts; the run and its branch stand', async () => {
    const dirs = gitTestDirs('into-conflict', { 'src/a/a.txt': 'original\n' });
    writeFiles(dirs.repo, { 'src/a/a.txt': 'changed on main\n' });
    const moved = commitAll(dirs.repo, 'main edits the same file');
    const { run, result } = await runGit(
      dirs,
      onePlan(dirs, 'into-conflict'),
      fixture.taskQueue,
      runId('into-conflict'),
      ['--base', dirs.base, '--into', 'main'],
    );
    expect(result.status).toBe('succeeded');
    expect(run.code).toBe(0);
    const git = result.git;
    if (git === undefined) throw new Error('the result has no git section');
    expect(git.into).toMatchObject({ branch: 'main', outcome: 'conflict' });
    const message = git.into?.message ?? '';
    expect(message).toContain("'main'");
    expect(message).toContain('src/a/a.txt');
    // It says what to merge to do it by hand: the run's branch or its integration commit.
    expect(message.includes(git.branch) || message.includes(git.integration)).toBe(true);
    // With --json the result carries it (above); the run's summary file says it too.
    expect(checkedOut(dirs, '.agent/artifacts/parallel_development_summary.md')).toContain(message);
    expect(mainTip(dirs)).toBe(moved);
    expect(refTarget(dirs.repo, `refs/heads/${git.branch}`)).toBe(git.integration);
    expect(checkedOut(dirs, 'src/a/a.txt')).toBe('changed on main\n');
    expect(statusLines(dirs.repo)).toEqual(['?? .agent/']);
  });
});
