/**
 * Real git for the tests of git workspaces (SPEC §9): making a source checkout, reading commits,
 * refs and trees back, and finding working trees an attempt left behind under FANOUT_WORKTREES.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** stdout of `git <args>` in `repo` without its trailing newline; throws on a non-zero exit. */
export function gitIn(repo: string, args: readonly string[]): string {
  return execFileSync('git', [...args], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  }).replace(/\n$/, '');
}

/** `git <args>` succeeds in `repo`. */
export function gitSucceeds(repo: string, args: readonly string[]): boolean {
  try {
    gitIn(repo, args);
    return true;
  } catch {
    return false;
  }
}

/** Writes `files` (repo path → content) into `repo`, parents created. */
export function writeFiles(repo: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    writeFileSync(path.join(repo, file), content);
  }
}

/** Commits everything in `repo` (an empty commit when nothing changed); returns the new HEAD. */
export function commitAll(repo: string, message: string): string {
  gitIn(repo, ['add', '-A']);
  gitIn(repo, ['commit', '--quiet', '--allow-empty', '--no-verify', '-m', message]);
  return gitIn(repo, ['rev-parse', 'HEAD']);
}

/**
 * Makes `repo` (existing files included) a git repository on branch `main` with one commit, and a
 * committer identity of its own so the test does not depend on the machine's git settings.
 */
export function initGitRepo(repo: string): string {
  gitIn(repo, ['init', '--quiet', '--initial-branch=main']);
  gitIn(repo, ['config', 'user.name', 'Fanout Test']);
  gitIn(repo, ['config', 'user.email', 'fanout-test@localhost']);
  gitIn(repo, ['config', 'commit.gpgsign', 'false']);
  return commitAll(repo, 'setup');
}

/** The file paths of a commit's tree, sorted. */
export function treeFiles(repo: string, commit: string): string[] {
  const listed = gitIn(repo, ['ls-tree', '-r', '--name-only', commit]);
  return listed === '' ? [] : listed.split('\n').sort();
}

/** The content of `file` in `commit`. */
export function fileAt(repo: string, commit: string, file: string): string {
  return gitIn(repo, ['show', `${commit}:${file}`]);
}

/** Whether `sha` names a commit in `repo`. */
export function commitExists(repo: string, sha: string | undefined): boolean {
  return (
    sha !== undefined &&
    /^[0-9a-f]{40}$/.test(sha) &&
    gitSucceeds(repo, ['cat-file', '-e', `${sha}^{commit}`])
  );
}

/** The commit a ref points at, or undefined when the ref does not exist. */
export function refTarget(repo: string, ref: string): string | undefined {
  try {
    return gitIn(repo, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    return undefined;
  }
}

/** Every ref under `prefix` (e.g. `refs/fanout/<id>/`), as ref → sha. */
export function refsUnder(repo: string, prefix: string): Record<string, string> {
  const listed = gitIn(repo, ['for-each-ref', '--format=%(refname) %(objectname)', prefix]);
  const refs: Record<string, string> = {};
  for (const line of listed.split('\n').filter((l) => l !== '')) {
    const [ref, sha] = line.split(' ');
    if (ref !== undefined && sha !== undefined) refs[ref] = sha;
  }
  return refs;
}

/** `git status --porcelain` lines of the source checkout, sorted. */
export function statusLines(repo: string): string[] {
  const status = gitIn(repo, ['status', '--porcelain=v1', '--untracked-files=normal']);
  return status === '' ? [] : status.split('\n').sort();
}

/**
 * Attempt working trees (folders holding a unit namespace, `.agent/workers/<unit>`) still under
 * `root` (FANOUT_WORKTREES): every attempt's tree must be gone from its place when its attempt
 * ended, unless kept with --keep-failed. Trees parked in the pool (`<root>/.pool/`, re-pointed
 * and cleaned by the next attempt that takes one) are not attempt trees and do not count.
 */
export function workingTreesLeft(root: string, maxDepth = 8): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (existsSync(path.join(dir, '.agent', 'workers'))) {
      found.push(dir);
      return;
    }
    if (depth >= maxDepth) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries)
      if (entry.isDirectory() && entry.name !== '.git' && !(depth === 0 && entry.name === '.pool'))
        walk(path.join(dir, entry.name), depth + 1);
  };
  if (existsSync(root)) walk(root, 0);
  return found.sort();
}
