/**
 * A remote run's stored result (SPEC §10) read from any machine: its `git:<ref>` path names a
 * one-file commit on the run's remote. The ref is fetched alone into a temporary bare repository
 * under the system's temporary directory, its file read, and the repository removed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GitError, git, runGit } from '../../git/run-git';
import { UsageError } from '../errors';
import { gitReason } from '../git-mode/remote-refs';
import { fileInStoreCommit, refOfGitPath } from '../../contracts/run-store-refs';

/** The text the `git:<ref>` path holds on `remote`. */
export async function readGitPath(remote: string, file: string): Promise<string> {
  const ref = refOfGitPath(file);
  const scratch = await mkdtemp(path.join(tmpdir(), 'agent-fanout-result-'));
  try {
    await git(['init', '--bare', '--quiet'], { cwd: scratch });
    await runGit(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', remote, `+${ref}:${ref}`], {
      cwd: scratch,
    }).catch((error: unknown) => {
      throw error instanceof GitError ? unreadable(remote, ref, error) : error;
    });
    const { stdout } = await runGit(['cat-file', 'blob', `${ref}:${fileInStoreCommit(ref)}`], {
      cwd: scratch,
    });
    return stdout;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function unreadable(remote: string, ref: string, error: GitError): UsageError {
  return new UsageError(
    `the run's result is stored on its remote ${remote} as ${ref}, which cannot be read here (${gitReason(error)}); ` +
      `check that this host may read the remote (\`git ls-remote ${remote} ${ref}\` must list it), then run again`,
  );
}
