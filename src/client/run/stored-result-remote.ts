/**
 * A remote run's stored result (SPEC §10) read from any machine: its `git:<ref>` path names a
 * one-file commit on the run's remote, read through a scratch repository (git-mode/scratch-fetch.ts).
 */
import { GitError, runGit } from '../../git/run-git';
import { UsageError } from '../errors';
import { gitReason } from '../git-mode/remote-refs';
import { fetchOneRef, withScratchRepo } from '../git-mode/scratch-fetch';
import { fileInStoreCommit, refOfGitPath } from '../../contracts/run-store-refs';

/** The text the `git:<ref>` path holds on `remote`. */
export async function readGitPath(remote: string, file: string): Promise<string> {
  const ref = refOfGitPath(file);
  return withScratchRepo('result', async (scratch) => {
    await fetchOneRef(scratch, remote, ref).catch((error: unknown) => {
      throw error instanceof GitError ? unreadable(remote, ref, error) : error;
    });
    const { stdout } = await runGit(['cat-file', 'blob', `${ref}:${fileInStoreCommit(ref)}`], {
      cwd: scratch,
    });
    return stdout;
  });
}

function unreadable(remote: string, ref: string, error: GitError): UsageError {
  return new UsageError(
    `the run's result is stored on its remote ${remote} as ${ref}, which cannot be read here (${gitReason(error)}); ` +
      `check that this host may read the remote (\`git ls-remote ${remote} ${ref}\` must list it), then run again`,
  );
}
