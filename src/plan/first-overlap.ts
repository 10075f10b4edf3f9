/**
 * Overlapping edit areas of two different units, in the order SPEC §2.3 lists pairs: areas
 * sorted (units by id, each unit's directories as written), then the smallest i with any
 * partner, then its smallest partner j > i.
 *
 * Comparing every pair costs seconds for a plan of thousands of units, and the workflow repeats
 * this check, so areas are indexed in a tree of path segments: an area's partners are the areas
 * on its path above it and every area in its subtree.
 */

export interface EditArea {
  readonly unitId: string;
  readonly raw: string;
  readonly segments: readonly string[];
}

interface PathNode {
  readonly children: Map<string, PathNode>;
  /** Areas whose path ends here, ascending. */
  readonly here: number[];
  /** Areas whose path ends here or below, ascending. */
  readonly subtree: number[];
}

const newNode = (): PathNode => ({ children: new Map(), here: [], subtree: [] });

/**
 * For each area in order that overlaps an area of a later unit, that area and its first such
 * partner, up to `limit` pairs: the first pair is SPEC's. `areas` must be in pair order, with
 * each unit's areas next to each other.
 */
export function overlappingPairs<T extends EditArea>(
  areas: readonly T[],
  limit = Number.POSITIVE_INFINITY,
): [T, T][] {
  const root = newNode();
  areas.forEach((area, index) => {
    let node = root;
    node.subtree.push(index);
    for (const segment of area.segments) {
      const child = node.children.get(segment) ?? newNode();
      node.children.set(segment, child);
      node = child;
      node.subtree.push(index);
    }
    node.here.push(index);
  });

  const lastOfUnit = lastIndexOfEachUnit(areas);
  const pairs: [T, T][] = [];
  for (const [index, area] of areas.entries()) {
    if (pairs.length >= limit) break;
    // Every area after the end of this unit's run belongs to another unit.
    const after = lastOfUnit[index] ?? index;
    let partner = Number.POSITIVE_INFINITY;
    let node: PathNode | undefined = root;
    for (const segment of area.segments) {
      partner = Math.min(partner, firstAbove(node.here, after));
      node = node.children.get(segment);
      if (node === undefined) break;
    }
    if (node !== undefined) partner = Math.min(partner, firstAbove(node.subtree, after));
    const second = areas[partner];
    if (second !== undefined) pairs.push([area, second]);
  }
  return pairs;
}

function lastIndexOfEachUnit(areas: readonly EditArea[]): number[] {
  const last: number[] = [];
  for (let index = areas.length - 1; index >= 0; index -= 1) {
    const sameAsNext = areas[index + 1]?.unitId === areas[index]?.unitId;
    last[index] = sameAsNext ? (last[index + 1] ?? index) : index;
  }
  return last;
}

/** The first value greater than `bound` in an ascending list, or infinity. */
function firstAbove(sorted: readonly number[], bound: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? Number.POSITIVE_INFINITY) <= bound) low = middle + 1;
    else high = middle;
  }
  return sorted[low] ?? Number.POSITIVE_INFINITY;
}
