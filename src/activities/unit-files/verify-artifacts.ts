/**
 * Checks, on the host that holds the checkout, that the evidence of units an earlier run finished
 * is still there unchanged (same name, size and sha256), so a retry may reuse those units. A git
 * run's evidence is its copy under `.agent/runs/<workflow id>/<unit_id>/`, and its output commit
 * must still exist (SPEC §9 "Retry"). A remote run's are checked on the remote (verify-remote.ts).
 */
import path from 'node:path';
import type { ArtifactEntry } from '../../plan/types';
import { hashWithoutFollowing } from '../containment/safe-write';
import { evidencePaths } from '../git-workspace/evidence-copy';
import { commitsPresent } from './commits-present';
import type { WorkerDeps } from '../git-workspace/remote-clone';
import { verifyOnRemote } from './verify-remote';

/** A git run's evidence: the earlier run (whose copy holds it) and each unit's output commit. */
export interface GitEvidence {
  readonly runId: string;
  readonly commits: Readonly<Record<string, string>>;
  /** A remote run (SPEC §10): commits and evidence refs are checked on this remote, not in `repo`. */
  readonly remote?: string;
}

export interface VerifyArtifactsInput {
  readonly repo: string;
  readonly namespaceRoot: string;
  /** Per unit, the artifact manifest its earlier success recorded. */
  readonly units: Readonly<Record<string, readonly ArtifactEntry[]>>;
  /** Set when the earlier run was a git run. */
  readonly git?: GitEvidence;
}

/**
 * The units whose every recorded artifact is still on disk, unchanged (a remote run: on the remote).
 * @param deps the worker's host: in a remote run its work directory holds the clone it checks from.
 */
export async function verifyArtifacts(input: VerifyArtifactsInput, deps: WorkerDeps = {}): Promise<string[]> {
  const { git } = input;
  if (git?.remote !== undefined) {
    const query = { url: git.remote, runId: git.runId, units: input.units, commits: git.commits };
    return verifyOnRemote(query, deps);
  }
  const present = git === undefined ? undefined : await commitsPresent(input.repo, git.commits);
  const intact: string[] = [];
  for (const [unitId, artifacts] of Object.entries(input.units)) {
    if (present !== undefined && !present.has(unitId)) continue;
    const dir =
      git === undefined
        ? path.join(input.repo, input.namespaceRoot, unitId, 'artifacts')
        : evidencePaths(input.repo, git.runId, unitId).artifactDir;
    if (artifacts.length > 0 && (await allUnchanged(dir, artifacts))) intact.push(unitId);
  }
  return intact;
}

async function allUnchanged(dir: string, artifacts: readonly ArtifactEntry[]): Promise<boolean> {
  for (const artifact of artifacts) {
    // Read without following links (SPEC §8.4): a link in place of an artifact does not count.
    const hashed = await hashWithoutFollowing(path.join(dir, artifact.name));
    if (hashed === null || hashed.size !== artifact.size || hashed.sha256 !== artifact.sha256) return false;
  }
  return true;
}
