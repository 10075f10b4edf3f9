import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveBase, uncommittedCount } from '../../src/git/base';

function gitIn(repo: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
}

describe('resolveBase and uncommittedCount on a real repository', () => {
  let repo: string;
  beforeEach(() => {
    repo = mkdtempSync(path.join(tmpdir(), 'fanout-base-'));
    gitIn(repo, 'init', '-q', '-b', 'main');
    gitIn(repo, 'config', 'user.email', 't@example.com');
    gitIn(repo, 'config', 'user.name', 'T');
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('refuses a repository with no commit, then resolves HEAD and a named revision', async () => {
    expect(await resolveBase(repo)).toEqual({ kind: 'no-commit' });
    writeFileSync(path.join(repo, 'a.txt'), 'a\n');
    gitIn(repo, 'add', '.');
    gitIn(repo, 'commit', '-q', '-m', 'first');
    const head = gitIn(repo, 'rev-parse', 'HEAD');
    expect(await resolveBase(repo)).toEqual({ kind: 'resolved', sha: head });
    expect(await resolveBase(repo, 'main')).toEqual({ kind: 'resolved', sha: head });
    expect(await resolveBase(repo, 'nope')).toEqual({ kind: 'unknown-revision', rev: 'nope' });
  });

  it('says a folder outside any repository is not one', async () => {
    const plain = mkdtempSync(path.join(tmpdir(), 'fanout-plain-'));
    try {
      expect(await resolveBase(plain)).toEqual({ kind: 'not-a-repository' });
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });

  it('counts modified, renamed and untracked paths, not those under ignored prefixes', async () => {
    writeFileSync(path.join(repo, 'a.txt'), 'a\n');
    writeFileSync(path.join(repo, 'b.txt'), 'b\n');
    gitIn(repo, 'add', '.');
    gitIn(repo, 'commit', '-q', '-m', 'first');
    expect(await uncommittedCount(repo)).toBe(0);
    writeFileSync(path.join(repo, 'a.txt'), 'changed\n');
    gitIn(repo, 'mv', 'b.txt', 'c.txt');
    writeFileSync(path.join(repo, 'new.txt'), 'n\n');
    mkdirSync(path.join(repo, '.agent', 'runs'), { recursive: true });
    writeFileSync(path.join(repo, '.agent', 'runs', 'x'), 'x');
    expect(await uncommittedCount(repo, ['.agent'])).toBe(3);
    expect(await uncommittedCount(repo)).toBe(4);
  });
});
