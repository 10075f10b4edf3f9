/**
 * Which pending units a failure blocks (SPEC §4.3, §7.1), the way the seed computes it: repeated
 * passes over the plan in plan order; a pending unit with a direct dependency among the failed
 * (FAILED, CANCELLED or already BLOCKED) units is blocked, naming those dependencies sorted, and
 * counts as failed for the units after it, in this pass and the next ones.
 */
import { compareCodePoints } from './overlap';
import type { WorkUnit } from './types';

export interface BlockedUnit {
  readonly unitId: string;
  /** Its direct dependencies that had failed when it was blocked, in code-point order. */
  readonly blockers: readonly string[];
}

export function blockedPasses(
  unitsInPlanOrder: readonly Pick<WorkUnit, 'unitId' | 'dependencies'>[],
  pending: ReadonlySet<string>,
  failed: ReadonlySet<string>,
): BlockedUnit[] {
  let remaining = unitsInPlanOrder.filter((unit) => pending.has(unit.unitId));
  const failures = new Set(failed);
  const blocked: BlockedUnit[] = [];
  for (;;) {
    const before = blocked.length;
    remaining = remaining.filter((unit) => {
      const blockers = [...new Set(unit.dependencies.filter((dep) => failures.has(dep)))].sort(
        compareCodePoints,
      );
      if (blockers.length === 0) return true;
      blocked.push({ unitId: unit.unitId, blockers });
      failures.add(unit.unitId);
      return false;
    });
    if (blocked.length === before) break;
  }
  return blocked;
}
