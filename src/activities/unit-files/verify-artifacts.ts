/**
 * Checks, on the host that holds the checkout, that the evidence of units an earlier run finished
 * is still there unchanged (same name, size and sha256), so a retry may reuse those units.
 */
import path from 'node:path';
import type { ArtifactEntry } from '../../plan/types';
import { hashWithoutFollowing } from '../containment/safe-write';

export interface VerifyArtifactsInput {
  readonly repo: string;
  readonly namespaceRoot: string;
  /** Per unit, the artifact manifest its earlier success recorded. */
  readonly units: Readonly<Record<string, readonly ArtifactEntry[]>>;
}

/** The units whose every recorded artifact is still on disk, unchanged. */
export async function verifyArtifacts(input: VerifyArtifactsInput): Promise<string[]> {
  const intact: string[] = [];
  for (const [unitId, artifacts] of Object.entries(input.units)) {
    const dir = path.join(input.repo, input.namespaceRoot, unitId, 'artifacts');
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
