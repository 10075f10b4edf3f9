/**
 * What a git unit's starting point merges (SPEC §9, "A unit's starting point"): the outputs of its
 * dependencies and of every SUCCEEDED unit whose edit area overlaps its own, unique, in unit_id
 * order. Pure: the workflow computes it from SHAs it keeps, `validate` and `graph` predict it.
 */
import type { StartingInput } from '../contracts/git';
import { overlappingPairs, type EditArea } from './first-overlap';
import { predictWaves } from './graph';
import { compareCodePoints, directorySegments } from './overlap';
import type { Plan, WorkUnit } from './types';

type AreaUnit = Pick<WorkUnit, 'unitId' | 'allowedDirectories'>;

/**
 * For each unit, the other units whose edit areas overlap its own (SPEC §2.3 relation), sorted
 * by unit_id. Built once per plan through the path-segment index, not by comparing every pair.
 */
export function overlapPartners(units: readonly AreaUnit[]): Map<string, string[]> {
  const areas: EditArea[] = [...units]
    .sort((a, b) => compareCodePoints(a.unitId, b.unitId))
    .flatMap((unit) =>
      unit.allowedDirectories.map((raw) => ({ unitId: unit.unitId, raw, segments: directorySegments(raw) })),
    );
  const partners = new Map<string, string[]>();
  const add = (unitId: string, partner: string) => {
    const list = partners.get(unitId) ?? [];
    list.push(partner);
    partners.set(unitId, list);
  };
  for (const [first, second] of overlappingPairs(areas, Number.POSITIVE_INFINITY)) {
    add(first.unitId, second.unitId);
    add(second.unitId, first.unitId);
  }
  for (const list of partners.values()) list.sort(compareCodePoints);
  return partners;
}

/**
 * The commits a unit's starting point merges now. `commitOf` answers a unit's output SHA only
 * while that unit is SUCCEEDED; a dependency without one is a caller's bug (it cannot have launched).
 */
export function startingInputs(
  unit: Pick<WorkUnit, 'unitId' | 'dependencies'>,
  partners: readonly string[],
  commitOf: (unitId: string) => string | undefined,
): StartingInput[] {
  const inputs = new Map<string, string>();
  for (const dependency of unit.dependencies) {
    const sha = commitOf(dependency);
    if (sha === undefined) throw new Error(`dependency '${dependency}' of '${unit.unitId}' has no commit`);
    inputs.set(dependency, sha);
  }
  for (const partner of partners) {
    const sha = commitOf(partner);
    if (sha !== undefined && partner !== unit.unitId) inputs.set(partner, sha);
  }
  return [...inputs.keys()]
    .sort(compareCodePoints)
    .map((unitId) => ({ unitId, sha: inputs.get(unitId) as string }));
}

/**
 * What each unit's starting point is predicted to merge (unit ids, sorted), as `validate` and
 * `graph` show it: its dependencies and the overlapping units launched before it in the order the
 * scheduler would use with equal durations (under `overlap: serialize` those have ended by then).
 */
export function predictedStartingInputs(plan: Plan): Record<string, string[]> {
  const launchOrder = predictWaves(plan).flat();
  const position = new Map(launchOrder.map((unitId, index) => [unitId, index]));
  const partners = overlapPartners(plan.workUnits);
  const predicted: Record<string, string[]> = {};
  for (const unit of plan.workUnits) {
    const mine = position.get(unit.unitId) ?? Number.POSITIVE_INFINITY;
    const earlier = (partners.get(unit.unitId) ?? []).filter(
      (partner) => (position.get(partner) ?? Number.POSITIVE_INFINITY) < mine,
    );
    predicted[unit.unitId] = [...new Set([...unit.dependencies, ...earlier])].sort(compareCodePoints);
  }
  return predicted;
}
