import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { commitOutput } from '../../src/git/commit-output';
import { outsideChanges } from '../../src/git/outside-changes';
import { prepareWorktree, removeWorktree } from '../../src/git/worktrees';
import { IDENTITY, commitFiles, filesOf, gitIn, makeRepo, removeRepo, write } from './git-repo';

const OUTPUT = {
  message: 'api: add the endpoint\n\nFanout-Run: run-1\nFanout-Unit: api\nFanout-Attempt: 1',
  excluded: ['.agent/workers', 'notes'],
};

describe('commitOutput and outsideChanges in a real working tree', () => {
  let repo: string;
  let trees: string;
  let tree: string;
  let start: string;
  const saved = process.env.FANOUT_WORKTREES;
  beforeEach(async () => {
    repo = makeRepo();
    trees = realpathSync(mkdtempSync(path.join(tmpdir(), 'fanout-out-')));
    process.env.FANOUT_WORKTREES = trees;
    tree = path.join(trees, 'api', '1');
    start = commitFiles(
      repo,
      {
        '.gitignore': '*.log\n',
        'src/api/a.ts': 'a\n',
        'src/api/gone.ts': 'g\n',
        'src/web/w.ts': 'w\n',
        'README.md': 'r\n',
      },
      'base',
    );
    await prepareWorktree(repo, start, tree);
  });
  afterEach(async () => {
    await removeWorktree(repo, tree);
    removeRepo(repo);
    rmSync(trees, { recursive: true, force: true });
    if (saved === undefined) delete process.env.FANOUT_WORKTREES;
    else process.env.FANOUT_WORKTREES = saved;
  });

  it('answers the starting point when nothing changed (the namespace and ignored files do not count)', async () => {
    write(tree, { '.agent/workers/api/artifacts/r.md': 'x\n', 'notes/n.txt': 'n\n', 'build.log': 'l\n' });
    expect(await commitOutput(tree, start, OUTPUT, IDENTITY)).toBe(start);
  });

  it('commits additions, changes and deletions as one commit on the start, the same SHA twice', async () => {
    write(tree, {
      'src/api/a.ts': 'changed\n',
      'src/api/new.ts': 'new\n',
      '.agent/workers/api/x': 'x\n',
      'debug.log': 'd\n',
    });
    unlinkSync(path.join(tree, 'src/api/gone.ts'));
    const output = await commitOutput(tree, start, OUTPUT, IDENTITY);
    expect(output).not.toBe(start);
    expect(gitIn(repo, 'log', '-1', '--format=%P', output)).toBe(start);
    expect(gitIn(repo, 'log', '-1', '--format=%B', output)).toBe(OUTPUT.message);
    expect(filesOf(repo, output)).toEqual({
      '.gitignore': '*.log',
      'src/api/a.ts': 'changed',
      'src/api/new.ts': 'new',
      'src/web/w.ts': 'w',
      'README.md': 'r',
    });
    expect(await commitOutput(tree, start, OUTPUT, IDENTITY)).toBe(output);
    expect(gitIn(tree, 'status', '--porcelain')).toContain('src/api/new.ts');
    expect(await outsideChanges(repo, start, output, ['src/api'])).toEqual([]);
  });

  it('commits where .gitignore already holds the namespace root (an exclude of an ignored path makes git add fail)', async () => {
    write(tree, {
      '.gitignore': '*.log\n.agent/\n',
      'src/api/new.ts': 'new\n',
      '.agent/workers/api/x': 'x\n',
    });
    const output = await commitOutput(tree, start, OUTPUT, IDENTITY);
    expect(filesOf(repo, output)).toEqual({
      '.gitignore': '*.log\n.agent/',
      'src/api/a.ts': 'a',
      'src/api/gone.ts': 'g',
      'src/api/new.ts': 'new',
      'src/web/w.ts': 'w',
      'README.md': 'r',
    });
  });

  it('squashes commits the agent made into one commit whose parent is the start', async () => {
    write(tree, { 'src/api/a.ts': 'first\n' });
    gitIn(tree, 'commit', '-qam', 'agent one');
    write(tree, { 'src/api/b.ts': 'second\n' });
    gitIn(tree, 'add', '.');
    gitIn(tree, 'commit', '-qm', 'agent two');
    write(tree, { 'src/api/a.ts': 'final\n' });
    const output = await commitOutput(tree, start, OUTPUT, IDENTITY);
    expect(gitIn(repo, 'log', '-1', '--format=%P', output)).toBe(start);
    expect(filesOf(repo, output)['src/api/a.ts']).toBe('final');
    expect(filesOf(repo, output)['src/api/b.ts']).toBe('second');
  });

  it('reports both sides of a rename and changes outside the area, sorted', async () => {
    gitIn(tree, 'mv', 'src/web/w.ts', 'src/api/w.ts');
    write(tree, { 'README.md': 'changed\n', 'src/api/a.ts': 'fine\n' });
    const output = await commitOutput(tree, start, OUTPUT, IDENTITY);
    expect(await outsideChanges(repo, start, output, ['src/api/'])).toEqual(['README.md', 'src/web/w.ts']);
    expect(await outsideChanges(repo, start, output, ['src/api', 'src/web', 'README.md'])).toEqual([]);
  });

  it('reports a symlink pointing out of the area, absolute or relative, not one inside it', async () => {
    symlinkSync('../web/w.ts', path.join(tree, 'src/api/out'));
    symlinkSync('/etc/passwd', path.join(tree, 'src/api/abs'));
    symlinkSync('../../../x', path.join(tree, 'src/api/up'));
    symlinkSync('a.ts', path.join(tree, 'src/api/in'));
    const output = await commitOutput(tree, start, OUTPUT, IDENTITY);
    expect(await outsideChanges(repo, start, output, ['src/api'])).toEqual([
      'src/api/abs',
      'src/api/out',
      'src/api/up',
    ]);
  });

  it('reports any gitlink and a .gitmodules change, even inside the area', async () => {
    const nested = path.join(tree, 'src/api/vendor');
    mkdirSync(nested, { recursive: true });
    gitIn(nested, 'init', '-q');
    write(nested, { 'v.txt': 'v\n' });
    gitIn(nested, 'add', '.');
    gitIn(nested, 'commit', '-qm', 'nested');
    write(tree, { 'src/api/.gitmodules': '[submodule]\n' });
    const output = await commitOutput(tree, start, OUTPUT, IDENTITY);
    expect(gitIn(repo, 'ls-tree', output, 'src/api/vendor')).toMatch(/^160000 commit/);
    expect(await outsideChanges(repo, start, output, ['src/api'])).toEqual([
      'src/api/.gitmodules',
      'src/api/vendor',
    ]);
  });
});
