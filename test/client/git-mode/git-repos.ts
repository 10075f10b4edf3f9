/** Real git repositories in the temporary directory, for the git-mode client tests. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const made: string[] = [];

export function gitIn(repo: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8' }).trim();
}

/** An empty directory, removed by {@link removeRepos}. */
export function emptyDirectory(): string {
  const directory = realpathSync(mkdtempSync(path.join(tmpdir(), 'fanout-git-mode-')));
  made.push(directory);
  return directory;
}

/** `git init` with a local identity, and no commit. */
export function repoWithoutCommit(): string {
  const repo = emptyDirectory();
  gitIn(repo, 'init', '-q', '-b', 'main');
  gitIn(repo, 'config', 'user.email', 't@example.com');
  gitIn(repo, 'config', 'user.name', 'T');
  gitIn(repo, 'config', 'commit.gpgsign', 'false');
  return repo;
}

/** A repository whose `main` has one commit holding README.md; returns it and that commit. */
export function repoWithCommit(): { repo: string; head: string } {
  const repo = repoWithoutCommit();
  writeFileSync(path.join(repo, 'README.md'), 'hello\n');
  gitIn(repo, 'add', '.');
  gitIn(repo, 'commit', '-q', '-m', 'first');
  return { repo, head: gitIn(repo, 'rev-parse', 'HEAD') };
}

export function removeRepos(): void {
  for (const directory of made.splice(0)) rmSync(directory, { recursive: true, force: true });
}
