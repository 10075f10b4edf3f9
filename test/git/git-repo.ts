/** Real repositories in tmp folders for the src/git tests, with fixed dates so SHAs repeat. */

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommitIdentity } from '../../src/contracts/git';

export const IDENTITY: CommitIdentity = {
  name: 'agent-fanout',
  email: 'agent-fanout@localhost',
  date: '2026-01-02T03:04:05.678Z',
};

const FIXED = {
  GIT_AUTHOR_NAME: 'T',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_AUTHOR_DATE: '1700000000 +0000',
  GIT_COMMITTER_NAME: 'T',
  GIT_COMMITTER_EMAIL: 't@example.com',
  GIT_COMMITTER_DATE: '1700000000 +0000',
};

export function gitIn(repo: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, ...FIXED } }).trim();
}

/** A fresh repository on branch main, in a tmp folder (real path). */
export function makeRepo(prefix = 'fanout-git-'): string {
  const repo = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  gitIn(repo, 'init', '-q', '-b', 'main');
  gitIn(repo, 'config', 'user.email', 't@example.com');
  gitIn(repo, 'config', 'user.name', 'T');
  return repo;
}

export function removeRepo(repo: string): void {
  rmSync(repo, { recursive: true, force: true });
}

/** Writes files (path → content) in `dir`. */
export function write(dir: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
}

/** Commits `files` on top of `parent` (default HEAD) without touching the work tree; returns the SHA. */
export function commitFiles(
  repo: string,
  files: Record<string, string | null>,
  message: string,
  parent?: string,
): string {
  const index = path.join(repo, '.git', `test-index-${process.pid}`);
  const env = { ...process.env, ...FIXED, GIT_INDEX_FILE: index };
  const run = (args: string[], input?: string): string =>
    execFileSync('git', args, { cwd: repo, encoding: 'utf8', env, input }).trim();
  try {
    if (parent !== undefined) run(['read-tree', parent]);
    else run(['read-tree', '--empty']);
    for (const [file, content] of Object.entries(files)) {
      if (content === null) run(['rm', '--cached', '-q', '--', file]);
      else {
        const blob = run(['hash-object', '-w', '--stdin'], content);
        run(['update-index', '--add', '--cacheinfo', `100644,${blob},${file}`]);
      }
    }
    const tree = run(['write-tree']);
    return run(['commit-tree', tree, ...(parent !== undefined ? ['-p', parent] : []), '-m', message]);
  } finally {
    rmSync(index, { force: true });
  }
}

/** path → content of every file of a commit. */
export function filesOf(repo: string, sha: string): Record<string, string> {
  const names = gitIn(repo, 'ls-tree', '-r', '--name-only', sha)
    .split('\n')
    .filter((name) => name !== '');
  return Object.fromEntries(names.map((name) => [name, gitIn(repo, 'show', `${sha}:${name}`)]));
}
