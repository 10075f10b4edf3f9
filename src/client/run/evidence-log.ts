/**
 * A remote run's attempt logs (SPEC §10), read from any machine: each unit's evidence ref,
 * `refs/fanout/<id>/evidence/<unit>`, is a chain of commits whose trees hold `logs/attempt-<n>.log`.
 * The ref is read through a scratch repository (git-mode/scratch-fetch.ts).
 */
import { evidenceRef } from '../../contracts/hosts';
import { GitError, git, runGit } from '../../git/run-git';
import { CommandFailed } from '../errors';
import { gitReason } from '../git-mode/remote-refs';
import { fetchOneRef, withScratchRepo } from '../git-mode/scratch-fetch';

export interface EvidenceLogs {
  /** The attempts whose log the ref holds, in order. */
  readonly attempts: readonly number[];
  /** The whole log of one of `attempts`. */
  read(attempt: number): Promise<string>;
}

const LOG_NAME = /^logs\/attempt-(\d+)\.log$/;

/** Runs `body` on the unit's evidence logs (none when the ref is not there yet), then cleans up. */
export async function withEvidenceLogs<T>(
  remote: string,
  runId: string,
  unitId: string,
  body: (logs: EvidenceLogs) => Promise<T>,
): Promise<T> {
  const ref = evidenceRef(runId, unitId);
  return withScratchRepo('evidence', async (scratch) => {
    const fetched = await fetchRef(scratch, remote, ref);
    const where = fetched ? await attemptCommits(scratch, ref) : new Map<number, string>();
    return body({
      attempts: [...where.keys()].sort((a, b) => a - b),
      read: async (attempt) => {
        const commit = where.get(attempt);
        if (commit === undefined) throw new Error(`attempt ${attempt} is not in ${ref}`);
        const { stdout } = await runGit(['cat-file', 'blob', `${commit}:logs/attempt-${attempt}.log`], {
          cwd: scratch,
        });
        return stdout;
      },
    });
  });
}

/** True when fetched, false when the remote has no such ref (no attempt has ended yet). */
async function fetchRef(scratch: string, remote: string, ref: string): Promise<boolean> {
  const listed = await runGit(['ls-remote', '--', remote, ref], { cwd: scratch }).catch((error: unknown) => {
    throw error instanceof GitError ? unreachable(remote, error) : error;
  });
  if (!listed.stdout.split('\n').some((line) => line.split('\t')[1] === ref)) return false;
  await fetchOneRef(scratch, remote, ref).catch((error: unknown) => {
    throw error instanceof GitError ? unreachable(remote, error) : error;
  });
  return true;
}

/** Each attempt's log in the newest commit of the ref that holds it (a later commit wins). */
async function attemptCommits(scratch: string, ref: string): Promise<Map<number, string>> {
  const commits = (await git(['rev-list', ref], { cwd: scratch })).split('\n').filter(Boolean);
  const where = new Map<number, string>();
  for (const commit of commits) {
    const names = await git(['ls-tree', '--name-only', `${commit}:logs`], { cwd: scratch }).catch(() => '');
    for (const name of names.split('\n')) {
      const attempt = LOG_NAME.exec(`logs/${name}`)?.[1];
      if (attempt !== undefined && !where.has(Number(attempt))) where.set(Number(attempt), commit);
    }
  }
  return where;
}

function unreachable(remote: string, error: GitError): CommandFailed {
  return new CommandFailed(
    `could not reach the remote ${remote}: ${gitReason(error)}; the run's logs are there once each attempt ends. ` +
      `Check that this host may read it (\`git ls-remote ${remote}\` must answer), then run again`,
  );
}
