/**
 * A remote run's summary (SPEC §10): the worker has no checkout, so the two summary files are
 * pushed as one commit to `refs/fanout/<workflow id>/summary` on the remote, on top of the one an
 * earlier execution or try pushed. Same text, same commit: a retried push finds it there.
 */

import type { CommitIdentity } from '../../contracts/git';
import { summaryRef } from '../../contracts/hosts';
import { commitFiles, fetchCommits, pushRef, readRemoteRef, RefMoved } from '../git-workspace/git-plumbing';
import { cloneOf, reachingRemote, type WorkerDeps } from '../git-workspace/remote-clone';

export interface RemoteSummary {
  readonly url: string;
  readonly runId: string;
  readonly identity: CommitIdentity;
}

/** Tries when another try moved the summary ref meanwhile. */
const PUSH_TRIES = 3;

/** Pushes `text` as each of `files` (repo-relative); answers `<summary ref>:<file>` for each. */
export function pushSummary(
  remote: RemoteSummary,
  files: readonly string[],
  text: string,
  deps: WorkerDeps,
): Promise<string[]> {
  const ref = summaryRef(remote.runId);
  const message = `Summary of ${remote.runId}\n\nFanout-Run: ${remote.runId}\n`;
  const tree = files.map((file) => ({ path: file, content: Buffer.from(text) }));
  return reachingRemote(async () => {
    const clone = await cloneOf(deps, remote.url);
    for (let attempt = 1; ; attempt += 1) {
      const parent = await readRemoteRef(clone, remote.url, ref);
      if (parent !== null) await fetchCommits(clone, remote.url, [parent]);
      const sha = await commitFiles(clone, tree, parent, remote.identity, message);
      try {
        if (sha !== parent) await pushRef(clone, remote.url, ref, sha, parent);
        return files.map((file) => `${ref}:${file}`);
      } catch (error) {
        if (!(error instanceof RefMoved) || attempt >= PUSH_TRIES) throw error;
      }
    }
  });
}
