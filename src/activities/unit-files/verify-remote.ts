/**
 * A retry of a remote run (SPEC §10, §9 "Retry"): which earlier successes may be reused, checked
 * on the remote from any worker. A unit's output commit must still be there (its unit ref holds
 * it, or it can be fetched by SHA), and its evidence ref must hold its `worker-manifest.json` and
 * every artifact its success recorded, unchanged (same name, size and sha256).
 */

import { createHash } from 'node:crypto';
import { unitRef } from '../../contracts/git';
import { evidenceRef } from '../../contracts/hosts';
import type { ArtifactEntry } from '../../plan/types';
import { fetchCommits, GitError, gitBytes, readRemoteRefsUnder, runGit } from '../git-workspace/git-plumbing';
import { cloneOf, reachingRemote, type WorkerDeps } from '../git-workspace/remote-clone';

export interface RemoteEvidenceQuery {
  readonly url: string;
  /** The earlier run's workflow id. */
  readonly runId: string;
  /** Per unit, the artifact manifest its earlier success recorded. */
  readonly units: Readonly<Record<string, readonly ArtifactEntry[]>>;
  /** Per unit, its output commit. */
  readonly commits: Readonly<Record<string, string>>;
}

/** The units whose output commit and evidence are intact on the remote. */
export function verifyOnRemote(query: RemoteEvidenceQuery, deps: WorkerDeps): Promise<string[]> {
  return reachingRemote(async () => {
    const clone = await cloneOf(deps, query.url);
    const refs = await readRemoteRefsUnder(clone, query.url, `refs/fanout/${query.runId}/`);
    const candidates = Object.keys(query.units).filter(
      (unitId) => (query.units[unitId]?.length ?? 0) > 0 && refs.has(evidenceRef(query.runId, unitId)),
    );
    const outputs = await fetchablePresent(clone, query, candidates, refs);
    const evidence = candidates.map((unitId) => refs.get(evidenceRef(query.runId, unitId)) ?? '');
    await fetchCommits(clone, query.url, evidence);
    const intact: string[] = [];
    for (const unitId of candidates) {
      const commit = refs.get(evidenceRef(query.runId, unitId)) ?? '';
      if (outputs.has(unitId) && (await evidenceIntact(clone, commit, unitId, query.units[unitId] ?? []))) {
        intact.push(unitId);
      }
    }
    return intact;
  });
}

/** The units whose output commit is on the remote: held by its unit ref, else fetched by SHA. */
async function fetchablePresent(
  clone: string,
  query: RemoteEvidenceQuery,
  unitIds: readonly string[],
  refs: ReadonlyMap<string, string>,
): Promise<Set<string>> {
  const present = new Set<string>();
  for (const unitId of unitIds) {
    const sha = query.commits[unitId];
    if (sha === undefined || !/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/.test(sha)) continue;
    if (refs.get(unitRef(query.runId, unitId)) === sha) {
      present.add(unitId);
      continue;
    }
    try {
      await fetchCommits(clone, query.url, [sha]);
      present.add(unitId);
    } catch (error) {
      if (!(error instanceof GitError)) throw error; // the remote does not have it
    }
  }
  return present;
}

async function evidenceIntact(
  clone: string,
  commit: string,
  unitId: string,
  artifacts: readonly ArtifactEntry[],
): Promise<boolean> {
  const manifest = await blobOf(clone, commit, 'worker-manifest.json');
  if (manifest === null || manifestUnit(manifest) !== unitId) return false;
  for (const artifact of artifacts) {
    const content = await blobOf(clone, commit, `artifacts/${artifact.name}`);
    if (content === null || content.length !== artifact.size) return false;
    if (createHash('sha256').update(content).digest('hex') !== artifact.sha256) return false;
  }
  return true;
}

/** A regular file of a commit (no link, no folder), or null. */
async function blobOf(clone: string, commit: string, file: string): Promise<Buffer | null> {
  const entry = await runGit(['ls-tree', '-z', commit, '--', file], { cwd: clone });
  const mode = entry.stdout.split(' ')[0];
  if (mode !== '100644' && mode !== '100755') return null;
  return gitBytes(['cat-file', 'blob', `${commit}:${file}`], clone);
}

function manifestUnit(manifest: Buffer): string | null {
  try {
    const parsed = JSON.parse(manifest.toString('utf8')) as { unit_id?: unknown };
    return typeof parsed.unit_id === 'string' ? parsed.unit_id : null;
  } catch {
    return null;
  }
}
