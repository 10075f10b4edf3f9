/**
 * Where a remote run keeps its run store (SPEC §10): each stored file is the one file of a commit
 * at `refs/fanout/<workflow id>/store/<first run id>/<name>`, and its stored path is `git:<ref>`.
 * Plain data and pure functions: the activities that write it and the client that reads it share them.
 */

/** A stored path that names a ref on the remote rather than a file on the host. */
export const GIT_PATH_PREFIX = 'git:';

export function isGitPath(file: string): boolean {
  return file.startsWith(GIT_PATH_PREFIX);
}

/** `refs/fanout/<workflow id>/store/<first run id>/<name>`. */
export function storeRef(workflowId: string, firstRunId: string, name: string): string {
  return `refs/fanout/${workflowId}/store/${firstRunId}/${name}`;
}

/** The ref a `git:` path names. */
export function refOfGitPath(file: string): string {
  return file.slice(GIT_PATH_PREFIX.length);
}

/** The file's name inside the ref's commit: the ref's last part plus `.json`. */
export function fileInStoreCommit(ref: string): string {
  return `${ref.slice(ref.lastIndexOf('/') + 1)}.json`;
}
