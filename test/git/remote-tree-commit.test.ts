/** Commits of a folder's files laid over a parent (SPEC §10 evidence refs and summary), with real git. */
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { commitFiles, filesOfFolder } from '../../src/git/tree-commit';
import { IDENTITY, filesOf, gitIn, removeRepo } from './git-repo';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function scratch(prefix: string): string {
  const folder = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  folders.push(folder);
  return folder;
}

function bareRepo(): string {
  const repo = scratch('fanout-bare-');
  gitIn(repo, 'init', '-q', '--bare');
  return repo;
}

describe('a commit of files', () => {
  it('holds the folder’s regular files, no link and nothing a link points at, and keeps the exec bit', async () => {
    const repo = bareRepo();
    const folder = scratch('fanout-evidence-');
    const outside = scratch('fanout-outside-');
    writeFileSync(path.join(outside, 'secret.txt'), 'secret\n');
    mkdirSync(path.join(folder, 'artifacts'));
    mkdirSync(path.join(folder, 'logs'));
    writeFileSync(path.join(folder, 'artifacts', 'out.md'), 'out\n');
    writeFileSync(path.join(folder, 'logs', 'attempt-1.log'), 'log\n');
    writeFileSync(path.join(folder, 'run.sh'), '#!/bin/sh\n');
    chmodSync(path.join(folder, 'run.sh'), 0o755);
    symlinkSync(path.join(outside, 'secret.txt'), path.join(folder, 'artifacts', 'link.md'));
    symlinkSync(outside, path.join(folder, 'linked-dir'));

    const sha = await commitFiles(repo, await filesOfFolder(folder), null, IDENTITY, 'evidence\n');

    expect(filesOf(repo, sha)).toEqual({
      'artifacts/out.md': 'out',
      'logs/attempt-1.log': 'log',
      'run.sh': '#!/bin/sh',
    });
    expect(gitIn(repo, 'ls-tree', sha, 'run.sh').split(' ')[0]).toBe('100755');
    expect(gitIn(repo, 'log', '-1', '--format=%an %aI', sha)).toBe('agent-fanout 2026-01-02T03:04:05+00:00');
  });

  it('lays its files over the parent’s, and is the parent itself when that changes nothing', async () => {
    const repo = bareRepo();
    const content = (text: string): Buffer => Buffer.from(text);
    const first = await commitFiles(
      repo,
      [
        { path: 'logs/attempt-1.log', content: content('one\n') },
        { path: 'artifacts/out.md', content: content('v1\n') },
      ],
      null,
      IDENTITY,
      'first',
    );
    const files = [
      { path: 'logs/attempt-2.log', content: content('two\n') },
      { path: 'artifacts/out.md', content: content('v2\n') },
    ];

    const second = await commitFiles(repo, files, first, IDENTITY, 'second');

    expect(gitIn(repo, 'rev-parse', `${second}^`)).toBe(first);
    expect(filesOf(repo, second)).toEqual({
      'artifacts/out.md': 'v2',
      'logs/attempt-1.log': 'one',
      'logs/attempt-2.log': 'two',
    });
    expect(await commitFiles(repo, files, second, IDENTITY, 'third')).toBe(second);
    expect(await commitFiles(repo, files, first, IDENTITY, 'second')).toBe(second);
    removeRepo(repo);
  });
});
