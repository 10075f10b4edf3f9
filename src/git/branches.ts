/** The run's own branch (SPEC §9 "End"): points at the integration commit. */

import { localRefs, type RefStore } from './ref-store';
import { RefMoved } from './refs';

/**
 * Creates `refs/heads/<branch>` at `sha`; a branch already there at `sha` (a retried activity) is
 * fine. One at another commit is never moved: it belongs to someone else.
 */
export async function pointBranch(
  source: string,
  branch: string,
  sha: string,
  refs: RefStore = localRefs(source),
): Promise<void> {
  try {
    await refs.swap(`refs/heads/${branch}`, sha, null);
  } catch (error) {
    if (!(error instanceof RefMoved)) throw error;
    throw new Error(
      `branch '${branch}' already exists at ${short(error.actual)}, not at the run's integration ${short(sha)}; ` +
        `it was left alone: run again with --branch <another name>, or delete it with '${refs.deleteCommand(branch)}'`,
    );
  }
}

export function short(sha: string | null): string {
  return sha === null ? '(none)' : sha.slice(0, 12);
}
