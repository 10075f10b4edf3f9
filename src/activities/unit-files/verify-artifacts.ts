/**
 * Checks, on the host that holds the checkout, that the evidence of units an earlier run finished
 * is still there unchanged (same name, size and sha256), so a retry may reuse those units.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactEntry } from '../../plan/types';

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
    const file = path.join(dir, artifact.name);
    const stats = await lstat(file).catch(() => undefined);
    if (stats === undefined || !stats.isFile() || stats.size !== artifact.size) return false;
    if ((await sha256(file)) !== artifact.sha256) return false;
  }
  return true;
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
