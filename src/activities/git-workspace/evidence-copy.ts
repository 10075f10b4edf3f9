/**
 * A git unit's evidence in the source checkout (SPEC §9 "Evidence and logs"): when an attempt ends,
 * its artifacts, manifest and attempt log are copied from its working tree (about to be removed)
 * into `<source>/.agent/runs/<workflow id>/<unit_id>/`. Nothing is read or written through a
 * symbolic link (SPEC §8.4): a link among the artifacts is not copied, a link on the way to the
 * destination is refused.
 */

import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { runFolder } from '../run-files/run-store';
import {
  makeDirectories,
  readFileNoFollow,
  SymbolicLinkRefused,
  writeFileNoFollow,
} from '../containment/safe-write';
import { attemptLogPath, type NamespacePaths } from '../unit-files/namespace';

/** `<source>/.agent/runs/<workflow id>/<unit_id>`, beside the run store's folder of the same run. */
export function evidenceDir(source: string, runId: string, unitId: string): string {
  return path.join(runFolder(source, runId), unitId);
}

/**
 * A remote run's evidence folder on the worker (SPEC §10): `<workdir>/evidence/<workflow id>/<unit_id>`,
 * the tree of the commit pushed to the unit's evidence ref.
 */
export function remoteEvidenceDir(workdir: string, runId: string, unitId: string): string {
  return path.join(workdir, 'evidence', encodeURIComponent(runId), unitId);
}

/** The copies' paths, shaped like a namespace so the shared-mode readers work on them. */
export function evidencePaths(source: string, runId: string, unitId: string): NamespacePaths {
  return evidencePathsAt(evidenceDir(source, runId, unitId));
}

/** An evidence folder's paths, wherever it is. */
export function evidencePathsAt(root: string): NamespacePaths {
  return {
    root,
    artifactDir: path.join(root, 'artifacts'),
    tmpDir: path.join(root, 'tmp'),
    logsDir: path.join(root, 'logs'),
    handoffsDir: path.join(root, 'handoffs'),
    manifest: path.join(root, 'worker-manifest.json'),
    promptFile: path.join(root, 'tmp', 'prompt.md'),
  };
}

/**
 * Copies what attempt `attempt` left in `from` (its namespace in the working tree) to `to` (its
 * evidence folder under `source`, the folder no link may be met below); what is missing (an agent
 * that never started) is skipped.
 */
export async function copyEvidence(
  source: string,
  from: NamespacePaths,
  to: NamespacePaths,
  attempt: number,
): Promise<void> {
  await makeDirectories(source, to.root);
  await copyTree(source, from.artifactDir, to.artifactDir);
  await copyFile(source, from.manifest, to.manifest);
  await copyFile(source, attemptLogPath(from, attempt), attemptLogPath(to, attempt));
}

/** Regular files and folders below `from`, recursively; links and other kinds are left out. */
async function copyTree(source: string, from: string, to: string): Promise<void> {
  const entries = await readdir(from, { withFileTypes: true }).catch(() => null);
  if (entries === null) return;
  await makeDirectories(source, to);
  for (const entry of entries) {
    const inner = path.join(from, entry.name);
    if (entry.isDirectory()) await copyTree(source, inner, path.join(to, entry.name));
    else if (entry.isFile()) await copyFile(source, inner, path.join(to, entry.name));
  }
}

async function copyFile(source: string, from: string, to: string): Promise<void> {
  const stats = await lstat(from).catch(() => null);
  if (stats === null || !stats.isFile()) return;
  // Opened without following a link: a file swapped for one after the lstat is refused, not read.
  const content = await readFileNoFollow(from).catch((error: unknown) => {
    if (error instanceof SymbolicLinkRefused || (error as NodeJS.ErrnoException).code === 'ENOENT')
      return null;
    throw error;
  });
  if (content !== null) await writeFileNoFollow(source, to, content);
}
