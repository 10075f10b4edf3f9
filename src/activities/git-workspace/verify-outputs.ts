/**
 * The activity a git run's `retry` uses to decide which earlier successes it may reuse (SPEC §9
 * "Retry"): a unit's output commit must still exist in the source checkout, and the evidence
 * copied under `.agent/runs/<earlier workflow id>/<unit_id>/artifacts/` must still match the
 * manifest its success recorded (as in shared mode, read without following links).
 */

import { realpath } from 'node:fs/promises';
import path from 'node:path';
import type { ArtifactEntry } from '../../plan/types';
import { verifyArtifacts } from '../unit-files/verify-artifacts';
import { evidenceDir } from './evidence-copy';
import { runGit } from './git-plumbing';

export interface VerifyGitOutputsInput {
  /** The source checkout. */
  readonly repo: string;
  /** The workflow id of the run whose successes are to be reused. */
  readonly runId: string;
  /** Per unit, its output commit and the artifact manifest its success recorded. */
  readonly units: Readonly<
    Record<string, { readonly commit: string; readonly artifacts: readonly ArtifactEntry[] }>
  >;
}

/** The units whose output commit exists and whose evidence copy is intact, sorted. */
export async function verifyGitOutputs(input: VerifyGitOutputsInput): Promise<string[]> {
  const source = await realpath(input.repo);
  const withCommit: Record<string, readonly ArtifactEntry[]> = {};
  for (const [unitId, unit] of Object.entries(input.units)) {
    if (await commitExists(source, unit.commit)) withCommit[unitId] = unit.artifacts;
  }
  // The evidence folders are laid out like namespaces: <root>/<unit_id>/artifacts.
  const namespaceRoot = path.relative(source, path.dirname(evidenceDir(source, input.runId, 'unit')));
  const intact = await verifyArtifacts({ repo: source, namespaceRoot, units: withCommit });
  return intact.sort();
}

async function commitExists(source: string, sha: string): Promise<boolean> {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha)) return false;
  const { code } = await runGit(['cat-file', '-e', `${sha}^{commit}`], { cwd: source, okCodes: [1, 128] });
  return code === 0;
}
