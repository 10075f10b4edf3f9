/**
 * Allowed directories as they resolve on the host (SPEC §8.5): symlinks inside the repo followed,
 * then judged by the §2.3 rules (src/plan/resolved-workspace-rules.ts). Used by `validate` and
 * `run` on the client (against `--repo`) and by each attempt just before its agent starts.
 */

import { join, relative } from 'node:path';
import { normalizeDirectory } from '../../plan/overlap';
import {
  resolvedWorkspaceProblem,
  type ResolvedAreas,
  type ResolvedDirectory,
  type WorkspaceView,
} from '../../plan/resolved-workspace-rules';
import { isInside, resolveLeniently } from '../unit-files/directory-escape';
import type { AttemptInput } from '../types';

/**
 * The units with a directory that resolves elsewhere than written, each with all its directories
 * resolved (repo-relative). A directory resolving outside the repo is left as written: that is
 * the escape check's case (SPEC §4.1), not this one.
 */
export async function resolveAreas(repoRoot: string, view: WorkspaceView): Promise<ResolvedAreas> {
  const moved = new Map<string, ResolvedDirectory[]>();
  for (const unit of view.workUnits) {
    const directories: ResolvedDirectory[] = [];
    for (const raw of unit.allowedDirectories) {
      const written = normalizeDirectory(raw);
      const absolute = await resolveLeniently(join(repoRoot, written), repoRoot);
      const resolved = isInside(repoRoot, absolute) ? relative(repoRoot, absolute) : written;
      directories.push({ raw, resolved });
    }
    if (directories.some((dir) => dir.resolved !== normalizeDirectory(dir.raw)))
      moved.set(unit.unitId, directories);
  }
  return moved;
}

/**
 * The §2.3 text (with the §8.5 suffix) for the first directory that resolves where it may not, or
 * undefined. `onlyUnit`: judge just that unit's directories (an attempt checks its own).
 * `repoRoot` must be a real path.
 */
export async function resolvedPathProblem(
  repoRoot: string,
  view: WorkspaceView,
  onlyUnit?: string,
): Promise<string | undefined> {
  const units =
    onlyUnit === undefined
      ? view
      : { ...view, workUnits: view.workUnits.filter((u) => u.unitId === onlyUnit) };
  const moved = await resolveAreas(repoRoot, units);
  if (moved.size === 0) return undefined;
  return resolvedWorkspaceProblem(view, moved, onlyUnit);
}

/** SPEC §8.5 before an attempt's agent starts: its own directories as they resolve now. */
export function attemptPathProblem(repoRoot: string, input: AttemptInput): Promise<string | undefined> {
  const view: WorkspaceView = {
    namespaceRoot: input.namespaceRoot,
    overlap: input.containment?.overlap ?? 'reject',
    workUnits: input.containment?.areas ?? [input.unit],
  };
  return resolvedPathProblem(repoRoot, view, input.unit.unitId);
}
