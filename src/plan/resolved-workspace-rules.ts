/**
 * The same-workspace rules of SPEC §2.3 applied to allowed directories as they resolve on the
 * host (SPEC §8.5): a directory whose symlinks lead into `.git`, into the namespace root, or onto
 * or into another unit's area is rejected as if it had been written that way, with
 * ` (via symlink '<raw>' -> '<resolved>')` appended. Pure: the resolving is done by the caller
 * (src/activities/containment/resolved-paths.ts); this feeds the resolved paths to the rules.
 */
import { overlappingPairs, type EditArea } from './first-overlap';
import { viaSymlink } from './messages';
import { compareCodePoints, directorySegments, normalizeDirectory } from './overlap';
import { checkWorkspaceRules, type WorkspaceView } from './workspace-rules';

/** One allowed directory: as written, and repo-relative as it resolves (symlinks followed). */
export interface ResolvedDirectory {
  readonly raw: string;
  readonly resolved: string;
}

export type { WorkspaceView };

/** Unit id → its directories resolved, in the order written; units not given resolve as written. */
export type ResolvedAreas = ReadonlyMap<string, readonly ResolvedDirectory[]>;

/**
 * The first §2.3 problem of the resolved directories, in §2.3's order, or undefined. Only
 * directories that resolve elsewhere than written are judged again; the plan as written is
 * expected to have passed already. `onlyUnit` limits pass 1 and the overlaps to pairs with that
 * unit (one attempt checks its own unit).
 */
export function resolvedWorkspaceProblem(
  view: WorkspaceView,
  resolvedAreas: ResolvedAreas,
  onlyUnit?: string,
): string | undefined {
  const moved = (dir: ResolvedDirectory): boolean => dir.resolved !== normalizeDirectory(dir.raw);
  for (const unit of view.workUnits) {
    if (onlyUnit !== undefined && unit.unitId !== onlyUnit) continue;
    for (const dir of (resolvedAreas.get(unit.unitId) ?? []).filter(moved)) {
      const alone = { ...view, overlap: 'reject' as const };
      const problem = checkWorkspaceRules({
        ...alone,
        workUnits: [{ ...unit, allowedDirectories: [dir.resolved] }],
      });
      if (problem !== undefined) return `${problem}${viaSymlink(dir.raw, dir.resolved)}`;
    }
  }
  return view.overlap === 'reject' ? firstResolvedOverlap(view, resolvedAreas, onlyUnit) : undefined;
}

interface ResolvedArea extends EditArea {
  readonly written: string;
}

/** §2.3 pass 2 on resolved paths; an overlap nobody's symlink caused was reported as written. */
function firstResolvedOverlap(
  view: WorkspaceView,
  resolvedAreas: ResolvedAreas,
  onlyUnit: string | undefined,
): string | undefined {
  const areas: ResolvedArea[] = [...view.workUnits]
    .sort((a, b) => compareCodePoints(a.unitId, b.unitId))
    .flatMap(({ unitId, allowedDirectories }) => {
      const resolved =
        resolvedAreas.get(unitId) ??
        allowedDirectories.map((raw) => ({ raw, resolved: normalizeDirectory(raw) }));
      return [...resolved]
        .sort((a, b) => compareCodePoints(a.resolved, b.resolved))
        .map((dir) => ({
          unitId,
          raw: dir.resolved,
          written: dir.raw,
          segments: directorySegments(dir.resolved),
        }));
    });
  const candidates = onlyUnit === undefined ? areas : areas.filter((area) => area.unitId === onlyUnit);
  const pair = onlyUnit === undefined ? firstOverlappingPair(areas) : firstPairWith(candidates, areas);
  if (pair === undefined) return undefined;
  const [first, second] = pair as [ResolvedArea, ResolvedArea];
  const text = checkWorkspaceRules({
    ...view,
    workUnits: [
      { unitId: first.unitId, allowedDirectories: [first.raw] },
      { unitId: second.unitId, allowedDirectories: [second.raw] },
    ],
  });
  const via = [first, second]
    .filter((area) => area.raw !== normalizeDirectory(area.written))
    .map((area) => viaSymlink(area.written, area.raw))
    .join('');
  return text === undefined ? undefined : `${text}${via}`;
}

/** The first pair of overlapping areas of two units, in §2.3's order. */
function firstOverlappingPair<T extends EditArea>(areas: readonly T[]): [T, T] | undefined {
  return overlappingPairs(areas, 1)[0];
}

/** The first pair (in §2.3's order) of one of `mine` with an area of another unit. */
function firstPairWith(
  mine: readonly ResolvedArea[],
  all: readonly ResolvedArea[],
): [EditArea, EditArea] | undefined {
  for (const area of all) {
    for (const own of mine) {
      if (own.unitId === area.unitId) continue;
      if (firstOverlappingPair([own, area]) !== undefined) {
        return compareCodePoints(own.unitId, area.unitId) < 0 ? [own, area] : [area, own];
      }
    }
  }
  return undefined;
}
