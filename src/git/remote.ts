/**
 * A worker's side of a shared remote (SPEC §10): one bare clone per remote URL under the worker's
 * work directory, commits fetched into it by SHA, and every ref on the remote moved by
 * compare-and-swap (`git push --force-with-lease`), so a retried step never moves a ref twice.
 */

import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { RefMoved } from './refs';
import { GitError, runGit, type GitOutput } from './run-git';
import { sourceKey } from './worktree-paths';

/** git could not talk to the remote at all: a wrong URL, no access, no network. Worth trying again. */
export class RemoteUnreachable extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
  ) {
    super(`could not reach the remote ${url}: ${reason}; check the URL and this host's access to it`);
    this.name = 'RemoteUnreachable';
  }
}

/** What git says when the remote answered but lacks an object: the remote was reached. */
const MISSING_OBJECT = /not our ref|couldn't find remote ref|no such remote ref|unadvertised object/i;

/** Runs a git command that talks to `url` from `clone`; failing to reach it is {@link RemoteUnreachable}. */
async function talkTo(url: string, clone: string, args: readonly string[]): Promise<GitOutput> {
  try {
    return await runGit(args, { cwd: clone, env: { GIT_SSH_COMMAND: sshCommand() } });
  } catch (error) {
    if (!(error instanceof GitError) || error.code !== 128 || MISSING_OBJECT.test(error.stderr)) throw error;
    throw new RemoteUnreachable(url, firstErrorLine(error.stderr));
  }
}

/** ssh never asks a question a worker cannot answer; the user's own setting wins. */
function sshCommand(): string {
  return process.env.GIT_SSH_COMMAND ?? 'ssh -o BatchMode=yes';
}

function firstErrorLine(stderr: string): string {
  const line = stderr.split('\n').find((entry) => entry.trim() !== '') ?? 'no reason given';
  return line.replace(/^(fatal|error): /, '').trim();
}

/**
 * `<workdir>/remotes/<name>-<hash>.git`: a local path is named by its real path (as a source
 * checkout is), a URL (`scheme://…`, `user@host:path`) by its text, whatever the worker's cwd.
 */
export function remoteClonePath(workdir: string, url: string): string {
  const isUrl = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(url) || /^[^/]*:/.test(url);
  const key = isUrl ? urlKey(url) : sourceKey(url);
  return path.join(workdir, 'remotes', `${key}.git`);
}

function urlKey(url: string): string {
  const digest = createHash('sha256').update(url).digest('hex').slice(0, 16);
  const last = url.replace(/\/+$/, '').split(/[/:]/).at(-1) ?? '';
  const name = last.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'remote';
  return `${name}-${digest}`;
}

/**
 * The worker's bare clone of `url`, made on first use (no fetch yet: commits come by SHA). Made
 * in a folder of its own and renamed into place, so two activities making it at once both end
 * with the same complete repository.
 */
export async function ensureRemoteClone(workdir: string, url: string): Promise<string> {
  const clone = remoteClonePath(workdir, url);
  if (await isFolder(clone)) return clone;
  await mkdir(path.dirname(clone), { recursive: true, mode: 0o700 });
  const making = `${clone}.making-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await runGit(['init', '-q', '--bare', making], { cwd: path.dirname(clone) });
    // Fetched commits are held by no ref until pushed: nothing may prune them meanwhile.
    for (const [key, value] of [
      ['gc.auto', '0'],
      ['gc.pruneExpire', 'never'],
      ['core.logAllRefUpdates', 'false'],
    ] as const) {
      await runGit(['config', key, value], { cwd: making });
    }
    await rename(making, clone).catch(async (error: unknown) => {
      if (!(await isFolder(clone))) throw error; // not a sibling's clone in the way: a real fault
    });
  } finally {
    await rm(making, { recursive: true, force: true });
  }
  return clone;
}

async function isFolder(folder: string): Promise<boolean> {
  return stat(folder).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
}

/** The given SHAs that are not yet commits in `repo`. */
export async function missingCommits(repo: string, shas: readonly string[]): Promise<string[]> {
  const unique = [...new Set(shas)];
  if (unique.length === 0) return [];
  const { stdout } = await runGit(['cat-file', '--batch-check=%(objecttype)'], {
    cwd: repo,
    input: unique.map((sha) => `${sha}^{commit}\n`).join(''),
  });
  const types = stdout.split('\n');
  return unique.filter((_, index) => types[index] !== 'commit');
}

/** Fetches the commits (with their history) that `clone` lacks, by SHA; present ones cost nothing. */
export async function fetchCommits(clone: string, url: string, shas: readonly string[]): Promise<void> {
  const missing = await missingCommits(clone, shas);
  if (missing.length === 0) return;
  await talkTo(url, clone, ['fetch', '-q', '--no-tags', '--no-write-fetch-head', url, ...missing]);
}

/** The SHAs the given refs hold on the remote; a ref that does not exist is absent from the map. */
export async function readRemoteRefs(
  clone: string,
  url: string,
  refs: readonly string[],
): Promise<Map<string, string>> {
  const { stdout } = await talkTo(url, clone, ['ls-remote', '--refs', url, ...refs]);
  const wanted = new Set(refs);
  const found = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [sha, ref] = line.split('\t');
    // ls-remote matches a pattern against a ref's tail: keep exact names only.
    if (sha !== undefined && ref !== undefined && wanted.has(ref)) found.set(ref, sha);
  }
  return found;
}

/** Every ref on the remote whose name starts with `prefix` (e.g. `refs/fanout/<run>/`), with its SHA. */
export async function readRemoteRefsUnder(
  clone: string,
  url: string,
  prefix: string,
): Promise<Map<string, string>> {
  const { stdout } = await talkTo(url, clone, ['ls-remote', '--refs', url, `${prefix}*`]);
  const found = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const [sha, ref] = line.split('\t');
    if (sha !== undefined && ref?.startsWith(prefix) === true) found.set(ref, sha);
  }
  return found;
}

/** The SHA one ref holds on the remote, or null when it does not exist. */
export async function readRemoteRef(clone: string, url: string, ref: string): Promise<string | null> {
  return (await readRemoteRefs(clone, url, [ref])).get(ref) ?? null;
}

/**
 * Sets `ref` on the remote to `sha` (a commit in `clone`) only if it holds `expected` (null: must
 * not exist). 'already' when it holds `sha` by now (this push, retried); {@link RefMoved} when it
 * holds anything else.
 */
export async function pushRef(
  clone: string,
  url: string,
  ref: string,
  sha: string,
  expected: string | null,
): Promise<'updated' | 'already'> {
  const lease = `--force-with-lease=${ref}:${expected ?? ''}`;
  const pushed = await talkTo(url, clone, [
    'push',
    '--porcelain',
    '--no-verify',
    lease,
    url,
    `${sha}:${ref}`,
  ]).catch((error: unknown) => {
    if (error instanceof GitError && error.code === 1) return null; // rejected: the lease did not hold
    throw error;
  });
  const flag = pushed === null ? '!' : pushFlag(pushed.stdout, ref);
  if (flag === '=') return 'already';
  if (flag !== '!') return 'updated';
  const actual = await readRemoteRef(clone, url, ref);
  if (actual === sha) return 'already';
  throw new RefMoved(ref, expected, actual);
}

/** The status flag of `ref`'s line in `git push --porcelain` output (`=` up to date, `!` rejected). */
function pushFlag(stdout: string, ref: string): string {
  const line = stdout.split('\n').find((entry) => entry.includes(`:${ref}\t`));
  return line?.charAt(0) ?? '!';
}
