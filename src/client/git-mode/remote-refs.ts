/**
 * The client's few conversations with a run's `--remote` (SPEC §10): `git ls-remote` for the refs a
 * new run must not collide with and for a base named without a checkout, and the push of a base
 * resolved in the checkout. A remote git cannot reach is a usage error: nothing is started.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GitError, runGit } from '../../git/run-git';
import { UsageError } from '../errors';

/** A local path given relative to the current directory, made absolute: workers run elsewhere. */
export function normalizeRemote(url: string, cwd: string): string {
  if (url.trim() === '') throw new UsageError('--remote is empty; pass the URL or path of a git repository');
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/]+:/.test(url);
  return isUrl || path.isAbsolute(url) ? url : path.resolve(cwd, url);
}

/** Git's own words from a failed command: its first `fatal:`/`error:` line, else its first line. */
export function gitReason(error: GitError): string {
  const lines = error.stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const fatal = lines.find((line) => /^(fatal|error|ERROR):/.test(line)) ?? lines[0] ?? 'no output';
  return fatal.replace(/^(fatal|error|ERROR):\s*/, '');
}

/** `could not reach the remote <url>: <git's reason>` and what to check. */
export function unreachable(url: string, error: GitError): UsageError {
  return new UsageError(
    `could not reach the remote ${url}: ${gitReason(error)}; check the URL, that a git repository is there ` +
      `and that this host may read it (\`git ls-remote ${url}\` must answer), then run again`,
  );
}

/** Ref name → SHA for every ref on the remote that matches one of `patterns` (ls-remote's tail match). */
export async function listRemoteRefs(url: string, patterns: readonly string[]): Promise<Map<string, string>> {
  const listed = await runGit(['ls-remote', '--', url, ...patterns], { cwd: tmpdir() }).catch(
    (error: unknown) => {
      throw error instanceof GitError ? unreachable(url, error) : error;
    },
  );
  const refs = new Map<string, string>();
  for (const line of listed.stdout.split('\n')) {
    const [sha, name] = line.split('\t');
    if (sha !== undefined && name !== undefined && sha !== '') refs.set(name, sha);
  }
  return refs;
}

const FULL_SHA = /^[0-9a-f]{40}$/i;

/**
 * The commit `rev` names on the remote, without a checkout: a full SHA as is, else HEAD, a full ref
 * name, a branch or a tag (peeled to its commit) as `git ls-remote` lists them.
 */
export async function remoteBaseSha(url: string, rev = 'HEAD'): Promise<string> {
  if (FULL_SHA.test(rev)) return rev.toLowerCase();
  // A tag's peeled commit (`<tag>^{}`) is listed only when asked for by that name.
  const refs = await listRemoteRefs(url, rev === 'HEAD' ? [rev] : [rev, `${rev}^{}`]);
  const candidates =
    rev === 'HEAD'
      ? ['HEAD']
      : rev.startsWith('refs/')
        ? [`${rev}^{}`, rev]
        : [`refs/heads/${rev}`, `refs/tags/${rev}^{}`, `refs/tags/${rev}`];
  const sha = candidates.map((name) => refs.get(name)).find((found) => found !== undefined);
  if (sha !== undefined) return sha;
  if (rev === 'HEAD') {
    throw new UsageError(
      `the remote ${url} has no HEAD commit (is it empty?); push a commit there first, or pass --base <branch>, or --repo <checkout> to start from its HEAD`,
    );
  }
  throw new UsageError(
    `--base '${rev}' is not a branch or tag on the remote ${url}; without --repo, pass a branch, a tag or a full 40-hex commit SHA ` +
      `(\`git ls-remote ${url}\` lists them), or pass --repo <checkout> to resolve it there`,
  );
}

/**
 * Pushes `sha` from the checkout to `ref` on the remote, which must not hold another commit
 * (compare-and-swap: the lease expects the ref absent). Unreachable or refused: a usage error.
 */
export async function pushRef(checkout: string, url: string, sha: string, ref: string): Promise<void> {
  try {
    await runGit(
      ['push', '--quiet', '--no-verify', `--force-with-lease=${ref}:`, '--', url, `${sha}:${ref}`],
      {
        cwd: checkout,
      },
    );
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    if (
      /could not read from remote|unable to access|does not appear to be a git repository/i.test(error.stderr)
    )
      throw unreachable(url, error);
    throw new UsageError(
      `could not push the base ${sha.slice(0, 7)} from ${checkout} to ${ref} on the remote ${url}: ${gitReason(error)}; ` +
        `check that this host may push there, then run again`,
    );
  }
}
