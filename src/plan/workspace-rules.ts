/**
 * Same-workspace rules (SPEC §2.3). Pass 1 checks every unit's own directories, in plan order;
 * pass 2, only under `overlap: reject`, looks for units whose edit areas overlap.
 * {@link collectWorkspaceProblems} finds every one, the first first; {@link checkWorkspaceRules}
 * is its first message.
 */
import {
  editAreasOverlap,
  emptyAllowedDirectory,
  namespaceRootReserved,
  noAllowedDirectories,
  reservedPath,
  worktreesReserved,
} from './messages';
import { overlappingPairs, type EditArea } from './first-overlap';
import { compareCodePoints, directorySegments } from './overlap';
import { firstMessage, unitPath, type RuleProblem } from './rule-problem';
import type { Plan, WorkUnit } from './types';

type UnitArea = Pick<WorkUnit, 'unitId' | 'allowedDirectories'>;

/** What the rules look at: a plan, or the same keys with directories as they resolve (SPEC §8.5). */
export type WorkspaceView = Pick<Plan, 'namespaceRoot' | 'overlap'> & {
  readonly workUnits: readonly UnitArea[];
};

export function checkWorkspaceRules(plan: WorkspaceView): string | undefined {
  return firstMessage(collectWorkspaceProblems(plan));
}

export function collectWorkspaceProblems(plan: WorkspaceView): RuleProblem[] {
  const namespaceSegment = reservedNamespaceSegment(plan.namespaceRoot);
  return [
    ...plan.workUnits.flatMap((unit, index) => ownDirectoryProblems(unit, index, namespaceSegment)),
    ...(plan.overlap === 'reject' ? overlapProblems(plan.workUnits) : []),
  ];
}

/** The namespace root's first segment, reserved for edit areas unless it is `.agent` (SPEC §7.8). */
export function reservedNamespaceSegment(namespaceRoot: string): string | undefined {
  const first = directorySegments(namespaceRoot)[0];
  return first === undefined || first === '.agent' ? undefined : first;
}

/** A unit's pass-1 problem: SPEC §2.3 reports its first directory at fault. */
function ownDirectoryProblems(
  unit: UnitArea,
  index: number,
  namespaceSegment: string | undefined,
): RuleProblem[] {
  const { unitId, allowedDirectories } = unit;
  if (allowedDirectories.length === 0)
    return [{ message: noAllowedDirectories(unitId), path: unitPath(index) }];
  for (const [position, raw] of allowedDirectories.entries()) {
    const message = directoryProblem(unitId, raw, namespaceSegment);
    if (message !== undefined) return [{ message, path: unitPath(index, 'allowed_directories', position) }];
  }
  return [];
}

function directoryProblem(unitId: string, raw: string, namespaceSegment: string | undefined) {
  const first = directorySegments(raw)[0];
  if (first === undefined) return emptyAllowedDirectory(unitId);
  if (first === '.worktrees') return worktreesReserved(unitId, raw);
  if (first === '.agent' || first === '.git') return reservedPath(unitId, raw);
  if (first === namespaceSegment) return namespaceRootReserved(unitId, raw, first);
  return undefined;
}

/** Enough to see the pattern; all of them could be thousands for units that share one area. */
const OVERLAPS_TOLD = 100;

interface IndexedArea extends EditArea {
  readonly unitIndex: number;
  readonly position: number;
}

/**
 * SPEC §2.3 pass 2: units sorted by id, each unit's directories sorted as written; raw strings
 * reported. The first pair is SPEC's; after it, one pair for each other two units that overlap.
 */
function overlapProblems(units: readonly UnitArea[]): RuleProblem[] {
  const areas: IndexedArea[] = units
    .map((unit, unitIndex) => ({ unit, unitIndex }))
    .sort((a, b) => compareCodePoints(a.unit.unitId, b.unit.unitId))
    .flatMap(({ unit, unitIndex }) =>
      unit.allowedDirectories
        .map((raw, position) => ({
          unitId: unit.unitId,
          raw,
          segments: directorySegments(raw),
          unitIndex,
          position,
        }))
        .sort((a, b) => compareCodePoints(a.raw, b.raw)),
    );
  return overlappingPairs(areas, OVERLAPS_TOLD).map(([first, second]) => ({
    message: editAreasOverlap(first.unitId, first.raw, second.unitId, second.raw),
    path: unitPath(first.unitIndex, 'allowed_directories', first.position),
  }));
}
