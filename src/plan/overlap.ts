/**
 * Edit-area paths and the overlap relation (SPEC §2.3): two directories overlap when one's
 * segment list is a prefix of the other's, so `src/api` overlaps `src/api/auth` but not `src/api2`.
 */

/**
 * Normalizes a POSIX relative path: drops `.` segments, repeated and trailing slashes.
 * `.` and `./` become the empty string.
 */
export function normalizeDirectory(raw: string): string {
  return directorySegments(raw).join('/');
}

/** The non-empty, non-`.` segments of a path. */
export function directorySegments(raw: string): string[] {
  return raw.split('/').filter((segment) => segment !== '' && segment !== '.');
}

/** True when one segment list is a prefix of the other (equal lists overlap too). */
export function segmentsOverlap(a: readonly string[], b: readonly string[]): boolean {
  const shorter = a.length <= b.length ? a : b;
  const longer = shorter === a ? b : a;
  return shorter.every((segment, index) => longer[index] === segment);
}

/** True when any directory of `a` overlaps any directory of `b` (raw entries, normalized here). */
export function directoriesOverlap(a: readonly string[], b: readonly string[]): boolean {
  const bSegments = b.map(directorySegments);
  return a.some((dirA) => {
    const segmentsA = directorySegments(dirA);
    return bSegments.some((segmentsB) => segmentsOverlap(segmentsA, segmentsB));
  });
}

/** Code-point order of strings (`-y, 10, 9, B, _x, b`), never locale order. */
export function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
