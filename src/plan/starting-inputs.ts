/**
 * What a git unit's starting point merges (SPEC §9, "A unit's starting point"): the outputs of its
 * dependencies and of every SUCCEEDED unit whose edit area overlaps its own, unique, in unit_id
 * order. Pure: the workflow computes it from SHAs it keeps, `validate` and `graph` predict it.
 */
import type { StartingInput } from '../contracts/git';
import { predictWaves } from './graph';
import { compareCodePoints, directorySegments } from './overlap';
import type { Plan, WorkUnit } from './types';

type AreaUnit = Pick<WorkUnit, 'unitId' | 'allowedDirectories'>;

interface PathNode {
  readonly children: Map<string, PathNode>;
  /** Units with an area ending exactly here. */
  readonly here: string[];
  /** Units with an area ending here or below. */
  readonly below: string[];
}

const newNode = (): PathNode => ({ children: new Map(), here: [], below: [] });

/**
 * Which units' edit areas overlap a unit's own (SPEC §2.3 relation: one path a prefix of the
 * other), answered per unit from a tree of path segments built once: a unit's partners are the
 * areas on its paths above it and every area below them. Nothing is computed for all pairs, so a
 * plan of thousands of units sharing one area costs memory in proportion to its areas only.
 */
export class OverlapIndex {
  private readonly root = newNode();
  private readonly areas = new Map<string, readonly string[][]>();

  constructor(units: readonly AreaUnit[]) {
    for (const unit of units) {
      const paths = unit.allowedDirectories.map(directorySegments);
      this.areas.set(unit.unitId, paths);
      for (const segments of paths) this.add(unit.unitId, segments);
    }
  }

  /** The other units whose areas overlap `unitId`'s, sorted by unit_id. */
  partners(unitId: string): string[] {
    const found = new Set<string>();
    for (const segments of this.areas.get(unitId) ?? []) {
      let node: PathNode | undefined = this.root;
      for (const segment of segments) {
        for (const other of node.here) found.add(other);
        node = node.children.get(segment);
        if (node === undefined) break;
      }
      for (const other of node?.below ?? []) found.add(other);
    }
    found.delete(unitId);
    return [...found].sort(compareCodePoints);
  }

  private add(unitId: string, segments: readonly string[]): void {
    let node = this.root;
    node.below.push(unitId);
    for (const segment of segments) {
      const child = node.children.get(segment) ?? newNode();
      node.children.set(segment, child);
      node = child;
      node.below.push(unitId);
    }
    node.here.push(unitId);
  }
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
  const index = new OverlapIndex(plan.workUnits);
  const predicted: Record<string, string[]> = {};
  for (const unit of plan.workUnits) {
    const mine = position.get(unit.unitId) ?? Number.POSITIVE_INFINITY;
    const earlier = index
      .partners(unit.unitId)
      .filter((partner) => (position.get(partner) ?? Number.POSITIVE_INFINITY) < mine);
    predicted[unit.unitId] = [...new Set([...unit.dependencies, ...earlier])].sort(compareCodePoints);
  }
  return predicted;
}
