import {
  chmodSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { attemptWorktreePath, worktreeRoot } from '../../src/git/worktree-paths';
import { parkWorktree } from '../../src/git/worktree-pool';
import { prepareWorktree, removeWorktree, settledPool } from '../../src/git/worktrees';
import { gitIn, makeRepo, removeRepo, write } from './git-repo';

/** Every path under `dir` but `.git`: kind, executable bit and content (or link target). */
function snapshot(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(path.join(dir, prefix)).sort()) {
    const rel = path.join(prefix, name);
    if (rel === '.git') continue;
    const info = lstatSync(path.join(dir, rel));
    if (info.isDirectory()) {
      out[rel] = 'dir';
      Object.assign(out, snapshot(dir, rel));
    } else {
      const exec = (info.mode & 0o111) !== 0 ? 'x' : '-';
      out[rel] = `${exec} ${readFileSync(path.join(dir, rel), 'utf8')}`;
    }
  }
  return out;
}

describe('the pool of released working trees', () => {
  let repo: string;
  let root: string;
  let base: string;
  let next: string;
  const saved = { trees: process.env.FANOUT_WORKTREES, pool: process.env.FANOUT_WORKTREE_POOL };
  const tree = (run: string, unit: string): string => attemptWorktreePath(worktreeRoot(), repo, run, unit, 1);
  const poolEntries = (): string[] => {
    const pools = path.join(root, '.pool');
    return readdirSync(pools).flatMap((key) => readdirSync(path.join(pools, key)));
  };
  const poolDir = (): string => {
    const pools = path.join(root, '.pool');
    return path.join(pools, readdirSync(pools)[0] ?? '');
  };
  const registered = (): string[] =>
    gitIn(repo, 'worktree', 'list', '--porcelain')
      .split('\n')
      .filter((line) => line.startsWith('worktree '))
      .map((line) => line.slice('worktree '.length))
      .sort();

  /** A checkout of `sha` made from scratch, to compare a re-pointed tree with. */
  async function freshSnapshot(sha: string): Promise<Record<string, string>> {
    process.env.FANOUT_WORKTREE_POOL = '0';
    const fresh = tree('run-fresh', 'fresh');
    try {
      await prepareWorktree(repo, sha, fresh);
      return snapshot(fresh);
    } finally {
      await removeWorktree(repo, fresh);
      delete process.env.FANOUT_WORKTREE_POOL;
    }
  }

  /** Uses trees at `base` like agents would (changes, untracked, ignored, a branch) and releases them. */
  async function useAndRelease(run: string, ...units: string[]): Promise<void> {
    const used = units.map((unit) => tree(run, unit));
    for (const at of used) {
      await prepareWorktree(repo, base, at);
      write(at, {
        'a.txt': 'dirty\n',
        'stray.txt': 's\n',
        '.agent/workers/u/x': 'x\n',
        'ignored.log': 'i\n',
      });
      gitIn(at, 'switch', '-q', '-c', `agent-${run}-${path.basename(path.dirname(at))}`);
      gitIn(at, 'commit', '-qam', 'agent commit');
    }
    // parkWorktree itself, not removeWorktree: its scrub cannot have ended before the next line.
    for (const at of used) expect(await parkWorktree(repo, at)).toBe(true);
  }

  function expectClean(at: string, sha: string, files: Record<string, string>): void {
    expect(gitIn(at, 'rev-parse', 'HEAD')).toBe(sha);
    expect(gitIn(at, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('HEAD');
    expect(gitIn(at, 'status', '--porcelain', '--ignored')).toBe('');
    expect(snapshot(at)).toEqual(files);
  }

  beforeEach(() => {
    repo = makeRepo();
    root = realpathSync(mkdtempSync(path.join(tmpdir(), 'fanout-pool-')));
    process.env.FANOUT_WORKTREES = root;
    delete process.env.FANOUT_WORKTREE_POOL;
    write(repo, {
      '.gitignore': 'ignored.log\n',
      'a.txt': 'a\n',
      'gone.txt': 'g\n',
      'tool.sh': 'echo\n',
      node: 'a file\n',
      'folder/inner.txt': 'i\n',
      'keep/k.txt': 'k\n',
    });
    gitIn(repo, 'add', '.');
    gitIn(repo, 'commit', '-q', '-m', 'base');
    base = gitIn(repo, 'rev-parse', 'HEAD');
    rmSync(path.join(repo, 'gone.txt'));
    rmSync(path.join(repo, 'node'));
    rmSync(path.join(repo, 'folder'), { recursive: true });
    chmodSync(path.join(repo, 'tool.sh'), 0o755);
    write(repo, {
      'a.txt': 'next\n',
      'node/child.txt': 'now a folder\n',
      folder: 'now a file\n',
      'b.txt': 'b\n',
    });
    gitIn(repo, 'add', '-A');
    gitIn(repo, 'commit', '-q', '-m', 'next');
    next = gitIn(repo, 'rev-parse', 'HEAD');
    gitIn(repo, 'checkout', '-q', base);
  });
  afterEach(async () => {
    await settledPool();
    removeRepo(repo);
    rmSync(root, { recursive: true, force: true });
    for (const [name, value] of [
      ['FANOUT_WORKTREES', saved.trees],
      ['FANOUT_WORKTREE_POOL', saved.pool],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('parks a released tree dirty and scrubs it to ready in the background', async () => {
    await useAndRelease('run-1', 'api');
    expect(poolEntries()).toEqual([expect.stringMatching(/^dirty-/)]);
    await settledPool();
    const entries = poolEntries();
    expect(entries).toEqual([expect.stringMatching(/^ready-/)]);
    const ready = path.join(poolDir(), entries[0] ?? '');
    expectClean(ready, gitIn(ready, 'rev-parse', 'refs/heads/agent-run-1-api'), snapshot(ready));
    for (const stray of ['stray.txt', '.agent', 'ignored.log'])
      expect(snapshot(ready)).not.toHaveProperty(stray);
    expect(registered()).toEqual([repo, ready].sort());
  });

  it('re-points a ready tree to a tree equal to a fresh checkout: deletions, modes, file to folder', async () => {
    const expected = await freshSnapshot(next);
    expect(expected['tool.sh']).toBe('x echo\n');
    expect(expected.node).toBe('dir');
    expect(expected.folder).toBe('- now a file\n');
    await useAndRelease('run-1', 'api');
    await settledPool();
    const second = tree('run-2', 'web');
    expect(await prepareWorktree(repo, next, second)).toEqual({ created: true });
    expect(poolEntries()).toEqual([]);
    expectClean(second, next, expected);
    expect(registered()).toEqual([repo, second].sort());
    // And back: folder to file, file to folder, the mode and the deleted files again.
    const back = await freshSnapshot(base);
    await removeWorktree(repo, second);
    await settledPool();
    const third = tree('run-3', 'web');
    await prepareWorktree(repo, base, third);
    expectClean(third, base, back);
  });

  it('takes a dirty tree left by a worker that stopped mid-scrub when no ready one exists, and scrubs it', async () => {
    const expected = await freshSnapshot(next);
    const used = tree('run-1', 'api');
    await prepareWorktree(repo, base, used);
    await removeWorktree(repo, used);
    await settledPool();
    // Dirty again and renamed back, as a worker that died before its scrub would have left it.
    const ready = path.join(poolDir(), poolEntries()[0] ?? '');
    write(ready, { 'a.txt': 'dirty again\n', 'stray.txt': 's\n', 'ignored.log': 'i\n' });
    const dirty = path.join(poolDir(), 'dirty-0-deadbeef');
    gitIn(repo, 'worktree', 'move', ready, dirty);
    const second = tree('run-2', 'web');
    await prepareWorktree(repo, next, second);
    expect(poolEntries()).toEqual([]);
    expectClean(second, next, expected);
  });

  it('falls back to checkout when a ready tree is not clean after all', async () => {
    const expected = await freshSnapshot(next);
    await useAndRelease('run-1', 'api');
    await settledPool();
    const ready = path.join(poolDir(), poolEntries()[0] ?? '');
    write(ready, { 'a.txt': 'changed after the scrub\n', 'gone.txt': 'changed too\n', 'stray.txt': 's\n' });
    const second = tree('run-2', 'web');
    await prepareWorktree(repo, next, second);
    expect(poolEntries()).toEqual([]);
    expectClean(second, next, expected);
  });

  it('tries the next pooled tree when one cannot be re-pointed, before adding a new one', async () => {
    const expected = await freshSnapshot(next);
    await useAndRelease('run-1', 'api', 'web');
    await settledPool();
    const [broken, good] = poolEntries();
    const brokenTree = path.join(poolDir(), broken ?? '');
    const gitDir = /^gitdir: (.*)$/m.exec(readFileSync(path.join(brokenTree, '.git'), 'utf8'))?.[1] ?? '';
    writeFileSync(path.join(gitDir, 'index.lock'), '');
    const second = tree('run-2', 'web');
    await prepareWorktree(repo, next, second);
    expect(poolEntries()).toEqual([]);
    expect(good).toMatch(/^ready-/);
    expectClean(second, next, expected);
    expect(registered()).toEqual([repo, second].sort());
  });

  it('waits for a scrub in flight rather than adding a new tree', async () => {
    const expected = await freshSnapshot(next);
    await useAndRelease('run-1', 'api');
    expect(poolEntries()).toEqual([expect.stringMatching(/^dirty-/)]);
    const second = tree('run-2', 'web');
    await prepareWorktree(repo, next, second);
    expect(poolEntries()).toEqual([]);
    expectClean(second, next, expected);
    expect(registered()).toEqual([repo, second].sort());
  });

  it('neither parks nor claims a tree with FANOUT_WORKTREE_POOL=0', async () => {
    await useAndRelease('run-1', 'api');
    await settledPool();
    process.env.FANOUT_WORKTREE_POOL = '0';
    const second = tree('run-2', 'web');
    await prepareWorktree(repo, next, second);
    expect(poolEntries()).toEqual([expect.stringMatching(/^ready-/)]);
    await removeWorktree(repo, second);
    expect(poolEntries()).toHaveLength(1);
  });

  it('gives four attempts a tree each from a pool of two while scrubs are in flight', async () => {
    process.env.FANOUT_WORKTREE_POOL = '2';
    const expected = await freshSnapshot(next);
    process.env.FANOUT_WORKTREE_POOL = '2';
    const units = ['u1', 'u2', 'u3', 'u4'];
    await Promise.all(units.map((unit) => prepareWorktree(repo, base, tree('run-0', unit))));
    await Promise.all(units.map((unit) => removeWorktree(repo, tree('run-0', unit))));
    expect(poolEntries().length).toBeLessThanOrEqual(2);
    const trees = units.map((unit) => tree('run-1', unit));
    await Promise.all(trees.map((at) => prepareWorktree(repo, next, at)));
    for (const at of trees) expectClean(at, next, expected);
    await settledPool();
    expect(registered()).toEqual(
      [repo, ...trees, ...poolEntries().map((e) => path.join(poolDir(), e))].sort(),
    );
    await Promise.all(trees.map((at) => removeWorktree(repo, at)));
    await settledPool();
    const entries = poolEntries();
    expect(entries).toHaveLength(2);
    for (const entry of entries) expect(entry).toMatch(/^ready-/);
    const again = units.map((unit) => tree('run-2', unit));
    await Promise.all(again.map((at) => prepareWorktree(repo, next, at)));
    for (const at of again) expectClean(at, next, expected);
    expect(poolEntries()).toEqual([]);
  });
});
