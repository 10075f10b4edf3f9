/**
 * The exact texts of SPEC §9 a git unit's attempt fails with, one function per condition. Tests
 * compare them with literals copied from the SPEC, never with these functions.
 */

/** How many outside paths the enforcement text names before ` and <n> more`. */
const NAMED_PATHS = 5;

/** Merging the unit's starting point conflicts (never retried). */
export function startConflict(unitId: string, units: readonly string[], paths: readonly string[]): string {
  return `Worker '${unitId}' could not start: merging ${units.join(', ')} conflicts in ${paths.join(', ')}`;
}

/** The unit changed files outside its allowed directories; `paths` sorted. */
export function outsideArea(unitId: string, paths: readonly string[]): string {
  const named = paths.slice(0, NAMED_PATHS).join(', ');
  const more = paths.length > NAMED_PATHS ? ` and ${paths.length - NAMED_PATHS} more` : '';
  return `Worker '${unitId}' changed files outside its allowed directories: ${named}${more}`;
}

/** The unit's ref holds a commit this attempt did not record (an earlier run under the same id, or a person). */
export function unitRefTaken(unitId: string, ref: string, actual: string): string {
  return (
    `Worker '${unitId}' cannot record its output: ${ref} already points at ${actual}, which this run did ` +
    `not make; look at it with 'git log ${ref}', delete it with 'git update-ref -d ${ref}' if it is stale, ` +
    'then run again'
  );
}
