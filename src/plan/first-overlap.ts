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
 * Pairs of areas of two different units that overlap, in SPEC order (so the first is SPEC's),
 * one pair per two units, at most `limit` pairs. `areas` must be in pair order, with each
 * unit's areas next to each other.
 */
export function overlappingPairs<T extends EditArea>(areas: readonly T[], limit: number): [T, T][] {
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
  const pairedUnits = new Set<string>();
  for (const [index, area] of areas.entries()) {
    // Every area after the end of this unit's run belongs to another unit.
    const partners = partnersAfter(root, area.segments, lastOfUnit[index] ?? index);
    for (const partner of partners) {
      const second = areas[partner];
      const units = `${area.unitId}\u0000${second?.unitId}`;
      if (second === undefined || pairedUnits.has(units)) continue;
      pairedUnits.add(units);
      pairs.push([area, second]);
      if (pairs.length >= limit) return pairs;
    }
  }
  return pairs;
}

/** Areas after `after` on the path above `segments` or in its subtree, ascending. */
function partnersAfter(root: PathNode, segments: readonly string[], after: number): number[] {
  const found: number[] = [];
  // A loop, not push(...list): a list of many thousands would overflow the call stack.
  const addAfter = (sorted: readonly number[]) => {
    for (let at = firstAbove(sorted, after); at < sorted.length; at += 1) found.push(sorted[at] ?? 0);
  };
  let node: PathNode | undefined = root;
  for (const segment of segments) {
    addAfter(node.here);
    node = node.children.get(segment);
    if (node === undefined) break;
  }
  if (node !== undefined) addAfter(node.subtree);
  return found.sort((a, b) => a - b);
}

function lastIndexOfEachUnit(areas: readonly EditArea[]): number[] {
  const last: number[] = [];
  for (let index = areas.length - 1; index >= 0; index -= 1) {
    const sameAsNext = areas[index + 1]?.unitId === areas[index]?.unitId;
    last[index] = sameAsNext ? (last[index + 1] ?? index) : index;
  }
  return last;
}

/** The position of the first value greater than `bound` in an ascending list (its length when none). */
function firstAbove(sorted: readonly number[], bound: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? Number.POSITIVE_INFINITY) <= bound) low = middle + 1;
    else high = middle;
  }
  return low;
}
