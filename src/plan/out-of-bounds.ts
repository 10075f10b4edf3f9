/**
 * Which changes lie out of bounds (SPEC §8.2): outside every unit's allowed directories and
 * outside `agent.writable`. Pure: the attempt that saw a change classifies it, the workflow
 * merges what its attempts saw.
 */
import { compareCodePoints, directorySegments, normalizeDirectory } from './overlap';
import type { FileChange, OutOfBoundsChange } from './types';

/** A set of repo-relative directories; a path is in it when one of them is the path or above it. */
export class DirectorySet {
  private readonly directories: ReadonlySet<string>;

  constructor(directories: Iterable<string>) {
    this.directories = new Set([...directories].map(normalizeDirectory));
  }

  /** True when `path` (repo-relative) is one of the directories or lies below one. */
  contains(path: string): boolean {
    let prefix = '';
    for (const segment of directorySegments(path)) {
      prefix = prefix === '' ? segment : `${prefix}/${segment}`;
      if (this.directories.has(prefix)) return true;
    }
    return false;
  }
}

/** The changes that lie in none of `areas` (every unit's allowed directories and agent.writable). */
export function outsideEveryArea(
  changes: readonly Pick<FileChange, 'path' | 'kind'>[],
  areas: DirectorySet,
): Pick<FileChange, 'path' | 'kind'>[] {
  return changes.filter((change) => !areas.contains(change.path)).map(({ path, kind }) => ({ path, kind }));
}

/**
 * Adds what one unit's attempt saw to the run's list: one entry per path and kind, the units that
 * saw it united and sorted, entries sorted by path.
 */
export function mergeOutOfBounds(
  known: readonly OutOfBoundsChange[],
  unitId: string,
  seen: readonly Pick<FileChange, 'path' | 'kind'>[],
): OutOfBoundsChange[] {
  const byKey = new Map(known.map((entry) => [`${entry.kind}\0${entry.path}`, entry]));
  for (const { path, kind } of seen) {
    const key = `${kind}\0${path}`;
    const units = new Set(byKey.get(key)?.units ?? []).add(unitId);
    byKey.set(key, { path, kind, units: [...units].sort(compareCodePoints) });
  }
  return [...byKey.values()].sort(
    (a, b) => compareCodePoints(a.path, b.path) || compareCodePoints(a.kind, b.kind),
  );
}
