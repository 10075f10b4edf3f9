import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { attemptWorktreePath, worktreeRoot } from '../../src/git/worktree-paths';
import { prepareWorktree, removeWorktree } from '../../src/git/worktrees';
import { commitFiles, gitIn, makeRepo, removeRepo, write } from './git-repo';

describe('worktreeRoot and attemptWorktreePath', () => {
  it('defaults to /var/tmp/agent-fanout-<uid> and honours FANOUT_WORKTREES', () => {
    expect(worktreeRoot({})).toBe(`/var/tmp/agent-fanout-${process.getuid?.() ?? 'user'}`);
    expect(worktreeRoot({ FANOUT_WORKTREES: '/srv/trees' })).toBe('/srv/trees');
  });

  it('is the same for the same attempt, different per source, run, unit and attempt', () => {
    const root = '/var/tmp/trees';
    const one = attemptWorktreePath(root, '/srv/repo', 'run-1', 'api', 1);
    expect(one).toMatch(/^\/var\/tmp\/trees\/repo-[0-9a-f]{16}\/api\/1$/);
    expect(attemptWorktreePath(root, '/srv/repo', 'run-1', 'api', 1)).toBe(one);
    const others = [
      attemptWorktreePath(root, '/srv/other/repo', 'run-1', 'api', 1),
      attemptWorktreePath(root, '/srv/repo', 'run-2', 'api', 1),
      attemptWorktreePath(root, '/srv/repo', 'run-1', 'web', 1),
      attemptWorktreePath(root, '/srv/repo', 'run-1', 'api', 2),
    ];
    expect(new Set([one, ...others]).size).toBe(5);
  });

  it('gives the same path before and after the root exists', () => {
    const parent = realpathSync(mkdtempSync(path.join(tmpdir(), 'fanout-root-')));
    try {
      const root = path.join(parent, 'trees');
      const before = attemptWorktreePath(root, '/srv/repo', 'run-1', 'api', 1);
      mkdirSync(root);
      expect(attemptWorktreePath(root, '/srv/repo', 'run-1', 'api', 1)).toBe(before);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('refuses a root inside the source checkout or inside $HOME', () => {
    expect(() => attemptWorktreePath('/srv/repo/trees', '/srv/repo', 'r', 'u', 1)).toThrow(
      /inside the checkout/,
    );
    expect(() => attemptWorktreePath(path.join(homedir(), 'trees'), '/srv/repo', 'r', 'u', 1)).toThrow(
      /inside \$HOME.*FANOUT_WORKTREES/,
    );
  });
});

describe('prepareWorktree and removeWorktree', () => {
  let repo: string;
  let root: string;
  const saved = process.env.FANOUT_WORKTREES;
  beforeEach(() => {
    repo = makeRepo();
    root = realpathSync(mkdtempSync(path.join(tmpdir(), 'fanout-trees-')));
    process.env.FANOUT_WORKTREES = root;
  });
  afterEach(() => {
    removeRepo(repo);
    rmSync(root, { recursive: true, force: true });
    if (saved === undefined) delete process.env.FANOUT_WORKTREES;
    else process.env.FANOUT_WORKTREES = saved;
  });

  it('makes a detached tree of the sha outside the source, without touching the source checkout', async () => {
    write(repo, { 'a.txt': 'a\n' });
    gitIn(repo, 'add', '.');
    gitIn(repo, 'commit', '-q', '-m', 'first');
    const head = gitIn(repo, 'rev-parse', 'HEAD');
    const next = commitFiles(repo, { 'a.txt': 'next\n' }, 'next', head);
    const tree = attemptWorktreePath(worktreeRoot(), repo, 'run-1', 'api', 1);
    expect(await prepareWorktree(repo, next, tree)).toEqual({ created: true });
    expect(readFileSync(path.join(tree, 'a.txt'), 'utf8')).toBe('next\n');
    expect(gitIn(tree, 'rev-parse', 'HEAD')).toBe(next);
    expect(gitIn(tree, 'status', '--porcelain')).toBe('');
    expect(gitIn(tree, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('HEAD');
    expect(readFileSync(path.join(repo, 'a.txt'), 'utf8')).toBe('a\n');
    expect(gitIn(repo, 'status', '--porcelain')).toBe('');
    expect(tree.startsWith(repo)).toBe(false);
  });

  it('keeps a tree that is already there for the attempt, with the agent work in it', async () => {
    const base = commitFiles(repo, { 'a.txt': 'a\n' }, 'base');
    const tree = attemptWorktreePath(worktreeRoot(), repo, 'run-1', 'api', 1);
    await prepareWorktree(repo, base, tree);
    write(tree, { 'a.txt': 'agent work\n', 'new.txt': 'n\n' });
    gitIn(tree, 'add', 'new.txt');
    gitIn(tree, 'commit', '-q', '-m', 'an agent commit');
    expect(await prepareWorktree(repo, base, tree)).toEqual({ created: false });
    expect(readFileSync(path.join(tree, 'a.txt'), 'utf8')).toBe('agent work\n');
    expect(existsSync(path.join(tree, 'new.txt'))).toBe(true);
  });

  it('replaces a folder at the path that is no tree of this source', async () => {
    const base = commitFiles(repo, { 'a.txt': 'a\n' }, 'base');
    const tree = attemptWorktreePath(worktreeRoot(), repo, 'run-1', 'api', 1);
    write(tree, { 'leftover.txt': 'x\n' });
    expect(await prepareWorktree(repo, base, tree)).toEqual({ created: true });
    expect(existsSync(path.join(tree, 'leftover.txt'))).toBe(false);
    expect(readFileSync(path.join(tree, 'a.txt'), 'utf8')).toBe('a\n');
  });

  it('removes a tree (path gone, git forgets it) and is fine when it is already gone', async () => {
    const base = commitFiles(repo, { 'a.txt': 'a\n' }, 'base');
    const tree = attemptWorktreePath(worktreeRoot(), repo, 'run-1', 'api', 1);
    await prepareWorktree(repo, base, tree);
    await removeWorktree(repo, tree);
    expect(existsSync(tree)).toBe(false);
    await removeWorktree(repo, tree);
    const second = attemptWorktreePath(worktreeRoot(), repo, 'run-1', 'web', 1);
    await prepareWorktree(repo, base, second);
    rmSync(second, { recursive: true, force: true });
    await removeWorktree(repo, second);
    const listed = gitIn(repo, 'worktree', 'list', '--porcelain');
    expect(listed).not.toContain(second);
    expect(listed).not.toContain(`${tree}\n`);
  });

  it('reuses a released tree: clean at the new sha, nothing of the previous use left', async () => {
    const base = commitFiles(
      repo,
      { '.gitignore': 'ignored.log\n', 'a.txt': 'a\n', 'gone.txt': 'g\n' },
      'base',
    );
    const next = commitFiles(repo, { 'a.txt': 'next\n', 'gone.txt': null, 'b.txt': 'b\n' }, 'next', base);
    const first = attemptWorktreePath(worktreeRoot(), repo, 'run-1', 'api', 1);
    await prepareWorktree(repo, base, first);
    write(first, {
      'a.txt': 'dirty\n',
      'stray.txt': 's\n',
      '.agent/workers/api/x': 'x\n',
      'ignored.log': 'i\n',
    });
    gitIn(first, 'switch', '-q', '-c', 'agent-branch');
    gitIn(first, 'commit', '-qam', 'agent commit');
    await removeWorktree(repo, first);
    expect(existsSync(first)).toBe(false);
    const pool = path.join(root, '.pool');
    const parked = (): number => readdirSync(path.join(pool, readdirSync(pool)[0] ?? '')).length;
    expect(parked()).toBe(1);
    expect(gitIn(repo, 'worktree', 'list', '--porcelain')).not.toContain('refs/heads/agent-branch');

    const second = attemptWorktreePath(worktreeRoot(), repo, 'run-2', 'web', 1);
    expect(await prepareWorktree(repo, next, second)).toEqual({ created: true });
    expect(parked()).toBe(0);
    expect(
      gitIn(repo, 'worktree', 'list', '--porcelain')
        .split('\n')
        .filter((l) => l.startsWith('worktree ')).length,
    ).toBe(2);
    expect(gitIn(second, 'rev-parse', 'HEAD')).toBe(next);
    expect(gitIn(second, 'status', '--porcelain', '--ignored')).toBe('');
    expect(gitIn(second, 'ls-files').split('\n')).toEqual(['.gitignore', 'a.txt', 'b.txt']);
    expect(readFileSync(path.join(second, 'a.txt'), 'utf8')).toBe('next\n');
    for (const stray of ['stray.txt', 'gone.txt', '.agent', 'ignored.log']) {
      expect(existsSync(path.join(second, stray))).toBe(false);
    }
  });

  it('deletes parked trees of a repository that no longer exists', async () => {
    const gone = makeRepo();
    const goneBase = commitFiles(gone, { 'g.txt': 'g\n' }, 'base');
    const goneTree = attemptWorktreePath(worktreeRoot(), gone, 'run-1', 'api', 1);
    await prepareWorktree(gone, goneBase, goneTree);
    await removeWorktree(gone, goneTree);
    removeRepo(gone);
    const pool = path.join(root, '.pool');
    expect(readdirSync(pool)).toHaveLength(1);
    const base = commitFiles(repo, { 'a.txt': 'a\n' }, 'base');
    const tree = attemptWorktreePath(worktreeRoot(), repo, 'run-1', 'api', 1);
    await prepareWorktree(repo, base, tree);
    await removeWorktree(repo, tree);
    const left = readdirSync(pool).flatMap((key) =>
      readdirSync(path.join(pool, key)).map((entry) => `${key}/${entry}`),
    );
    expect(left).toHaveLength(1);
    expect(left[0]).toContain(path.basename(repo));
  });

  it('gives attempts prepared at the same time a tree each, parked ones claimed once', async () => {
    const base = commitFiles(repo, { 'a.txt': 'a\n' }, 'base');
    const next = commitFiles(repo, { 'a.txt': 'next\n' }, 'next', base);
    const released = [1, 2].map((n) => attemptWorktreePath(worktreeRoot(), repo, 'run-0', `u${n}`, 1));
    for (const tree of released) await prepareWorktree(repo, base, tree);
    for (const tree of released) await removeWorktree(repo, tree);
    const trees = [1, 2, 3, 4].map((n) => attemptWorktreePath(worktreeRoot(), repo, 'run-1', `u${n}`, 1));
    const answers = await Promise.all(trees.map((tree) => prepareWorktree(repo, next, tree)));
    expect(answers).toEqual(trees.map(() => ({ created: true })));
    for (const tree of trees) {
      expect(readFileSync(path.join(tree, 'a.txt'), 'utf8')).toBe('next\n');
      expect(gitIn(tree, 'status', '--porcelain', '--ignored')).toBe('');
    }
    const listed = gitIn(repo, 'worktree', 'list', '--porcelain');
    expect(
      listed
        .split('\n')
        .filter((line) => line.startsWith('worktree '))
        .sort(),
    ).toEqual([`worktree ${repo}`, ...trees.map((tree) => `worktree ${tree}`)].sort());
  });

  it('parks a tree in the pool of the root it was made under, and deletes a tree laid out otherwise', async () => {
    const base = commitFiles(repo, { 'a.txt': 'a\n' }, 'base');
    const elsewhere = realpathSync(mkdtempSync(path.join(tmpdir(), 'fanout-elsewhere-')));
    try {
      const tree = attemptWorktreePath(elsewhere, repo, 'run-1', 'api', 1);
      await prepareWorktree(repo, base, tree);
      await removeWorktree(repo, tree);
      expect(readdirSync(path.join(elsewhere, '.pool'))).toHaveLength(1);
      const loose = path.join(elsewhere, 'loose-tree');
      await prepareWorktree(repo, base, loose);
      await removeWorktree(repo, loose);
      expect(existsSync(loose)).toBe(false);
      expect(readdirSync(elsewhere)).toEqual(['.pool']);
      expect(existsSync(path.join(root, '.pool'))).toBe(false);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
