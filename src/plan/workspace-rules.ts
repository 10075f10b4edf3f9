/**
 * Same-workspace rules (SPEC §2.3). Pass 1 checks every unit's own directories, in plan order;
 * pass 2, only under `overlap: reject`, looks for two units whose edit areas overlap.
 */
import { firstFailure } from './first-failure';
import {
  editAreasOverlap,
  emptyAllowedDirectory,
  namespaceRootReserved,
  noAllowedDirectories,
  reservedPath,
  worktreesReserved,
} from './messages';
import { firstOverlappingPair, type EditArea } from './first-overlap';
import { compareCodePoints, directorySegments } from './overlap';
import type { Plan, WorkUnit } from './types';

type UnitArea = Pick<WorkUnit, 'unitId' | 'allowedDirectories'>;

/** What the rules look at: a plan, or the same keys with directories as they resolve (SPEC §8.5). */
export type WorkspaceView = Pick<Plan, 'namespaceRoot' | 'overlap'> & {
  readonly workUnits: readonly UnitArea[];
};

export function checkWorkspaceRules(plan: WorkspaceView): string | undefined {
  const namespaceSegment = reservedNamespaceSegment(plan.namespaceRoot);
  return firstFailure([
    ...plan.workUnits.map((unit) => () => ownDirectoriesProblem(unit, namespaceSegment)),
    () => (plan.overlap === 'reject' ? firstOverlap(plan.workUnits) : undefined),
  ]);
}

/** The namespace root's first segment, reserved for edit areas unless it is `.agent` (SPEC §7.8). */
export function reservedNamespaceSegment(namespaceRoot: string): string | undefined {
  const first = directorySegments(namespaceRoot)[0];
  return first === undefined || first === '.agent' ? undefined : first;
}

function ownDirectoriesProblem(unit: UnitArea, namespaceSegment: string | undefined): string | undefined {
  const { unitId, allowedDirectories } = unit;
  if (allowedDirectories.length === 0) return noAllowedDirectories(unitId);
  for (const raw of allowedDirectories) {
    const first = directorySegments(raw)[0];
    if (first === undefined) return emptyAllowedDirectory(unitId);
    if (first === '.worktrees') return worktreesReserved(unitId, raw);
    if (first === '.agent' || first === '.git') return reservedPath(unitId, raw);
    if (first === namespaceSegment) return namespaceRootReserved(unitId, raw, first);
  }
  return undefined;
}

/** SPEC §2.3 pass 2: units sorted by id, each unit's directories sorted as written; raw strings reported. */
function firstOverlap(units: readonly UnitArea[]): string | undefined {
  const areas: EditArea[] = [...units]
    .sort((a, b) => compareCodePoints(a.unitId, b.unitId))
    .flatMap(({ unitId, allowedDirectories }) =>
      [...allowedDirectories]
        .sort(compareCodePoints)
        .map((raw) => ({ unitId, raw, segments: directorySegments(raw) })),
    );
  const pair = firstOverlappingPair(areas);
  return pair && editAreasOverlap(pair[0].unitId, pair[0].raw, pair[1].unitId, pair[1].raw);
}
