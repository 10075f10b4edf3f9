import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pointBranch } from '../../src/git/branches';
import { moveInto } from '../../src/git/move-into';
import { IDENTITY, commitFiles, filesOf, gitIn, makeRepo, removeRepo, write } from './git-repo';

/** main checked out at base (a.txt, b.txt); the run's integration changes a.txt. */
function scene(repo: string) {
  write(repo, { 'a.txt': 'a\n', 'b.txt': 'b\n' });
  gitIn(repo, 'add', '.');
  gitIn(repo, 'commit', '-q', '-m', 'base');
  const base = gitIn(repo, 'rev-parse', 'HEAD');
  const target = commitFiles(repo, { 'a.txt': 'a by the run\n' }, 'integration', base);
  gitIn(repo, 'branch', 'side', base);
  return { base, target };
}

describe('pointBranch', () => {
  let repo: string;
  beforeEach(() => (repo = makeRepo()));
  afterEach(() => removeRepo(repo));

  it('creates the branch, keeps it when equal, refuses one at another commit', async () => {
    const { base, target } = scene(repo);
    await pointBranch(repo, 'fanout/plan-1234abcd', target);
    expect(gitIn(repo, 'rev-parse', 'fanout/plan-1234abcd')).toBe(target);
    await pointBranch(repo, 'fanout/plan-1234abcd', target);
    await expect(pointBranch(repo, 'side', target)).rejects.toThrow(
      /branch 'side' already exists at .* left alone: run again with --branch/,
    );
    expect(gitIn(repo, 'rev-parse', 'side')).toBe(base);
  });
});

describe('moveInto', () => {
  let repo: string;
  beforeEach(() => (repo = makeRepo()));
  afterEach(() => removeRepo(repo));

  it('fast-forwards a branch that has not moved since the base, then finds it unchanged', async () => {
    const { base, target } = scene(repo);
    const answer = await moveInto(repo, 'side', base, target, IDENTITY, 'fanout/x');
    expect(answer).toMatchObject({ branch: 'side', outcome: 'fast-forward' });
    expect(gitIn(repo, 'rev-parse', 'side')).toBe(target);
    expect((await moveInto(repo, 'side', base, target, IDENTITY)).outcome).toBe('unchanged');
  });

  it('creates a branch that does not exist', async () => {
    const { base, target } = scene(repo);
    expect((await moveInto(repo, 'new-one', base, target, IDENTITY)).outcome).toBe('created');
    expect(gitIn(repo, 'rev-parse', 'new-one')).toBe(target);
  });

  it('merges into a branch that moved, when the merge is clean', async () => {
    const { base, target } = scene(repo);
    const moved = commitFiles(repo, { 'b.txt': 'b on side\n' }, 'side work', base);
    gitIn(repo, 'update-ref', 'refs/heads/side', moved);
    const answer = await moveInto(repo, 'side', base, target, IDENTITY, 'fanout/x');
    expect(answer.outcome).toBe('merge');
    const sha = gitIn(repo, 'rev-parse', 'side');
    expect(gitIn(repo, 'log', '-1', '--format=%P%n%s', sha)).toBe(
      `${moved} ${target}\nMerge fanout/x into side`,
    );
    expect(filesOf(repo, sha)).toEqual({ 'a.txt': 'a by the run', 'b.txt': 'b on side' });
  });

  it('leaves a branch alone when the merge conflicts, and says what to run', async () => {
    const { base, target } = scene(repo);
    const moved = commitFiles(repo, { 'a.txt': 'a on side\n' }, 'side work', base);
    gitIn(repo, 'update-ref', 'refs/heads/side', moved);
    const answer = await moveInto(repo, 'side', base, target, IDENTITY, 'fanout/x');
    expect(answer).toEqual({
      branch: 'side',
      outcome: 'conflict',
      message:
        "Left 'side' alone: merging fanout/x into it conflicts in a.txt. " +
        'To merge it yourself: git switch side && git merge fanout/x',
    });
    expect(gitIn(repo, 'rev-parse', 'side')).toBe(moved);
  });

  it('advances the checked-out branch together with its files, keeping unrelated local changes', async () => {
    const { base, target } = scene(repo);
    write(repo, { 'b.txt': 'local edit\n' });
    const answer = await moveInto(repo, 'main', base, target, IDENTITY);
    expect(answer.outcome).toBe('fast-forward');
    expect(gitIn(repo, 'rev-parse', 'HEAD')).toBe(target);
    expect(readFileSync(path.join(repo, 'a.txt'), 'utf8')).toBe('a by the run\n');
    expect(readFileSync(path.join(repo, 'b.txt'), 'utf8')).toBe('local edit\n');
    expect(gitIn(repo, 'status', '--porcelain')).toBe('M b.txt');
  });

  it('leaves the checked-out branch alone when an uncommitted change is in the way', async () => {
    const { base, target } = scene(repo);
    write(repo, { 'a.txt': 'uncommitted\n' });
    const answer = await moveInto(repo, 'main', base, target, IDENTITY, 'fanout/x');
    expect(answer.outcome).toBe('conflict');
    expect(answer.message).toMatch(/^Left 'main' alone: it is checked out in .* git refused .*a\.txt/);
    expect(gitIn(repo, 'rev-parse', 'HEAD')).toBe(base);
    expect(readFileSync(path.join(repo, 'a.txt'), 'utf8')).toBe('uncommitted\n');
  });
});
