/**
 * Every plan-validation text whose wording SPEC fixes (§1, §2, §7.8, §7.15), one function per
 * condition. Tests compare against literals copied from SPEC, never against these functions.
 *
 * Texts SPEC does not fix (a field of the wrong type, a bad duration, ...) are built with
 * {@link fieldProblem}: they name the field's path in the plan and say how to fix it.
 * Paths use 0-based indices (`work_units[0]` is the first unit), like JSON paths; only
 * `Work unit #<n>` counts from 1, as people do.
 */

// §2.4: the prefix of every rejection, whatever rule failed.
export const preflightRejected = (reason: string): string => `parallel preflight rejected plan: ${reason}`;

// §1: unit_id.
/** Length in characters (code points), as the seed counts them. */
export const unitIdTooLong = (value: string): string =>
  `unit_id must be at most 64 chars (got length ${[...value].length}: '${value}')`;
export const unitIdInvalidCharacter = (character: string): string =>
  `unit_id contains invalid character '${character}'; allowed: [a-zA-Z0-9_-]`;

// §1: allowed_directories entries.
export const allowedDirectoryEmpty = (): string => 'allowed_directories entries must be non-empty';
export const allowedDirectoryBackslash = (): string => "allowed_directories entries must use '/' separators";
export const allowedDirectoryAbsolute = (): string => 'allowed_directories entries must be relative paths';
export const allowedDirectoryParent = (): string => "allowed_directories entries must not contain '..'";

// §7.8: texts of the field rules SPEC §1 leaves open.
export const unknownUnitKey = (unitId: string, key: string): string =>
  `Work unit '${unitId}' has unknown key '${key}'`;
/** For a unit without a valid `unit_id`; `position` is 1-based. */
export const unknownKeyInUnnamedUnit = (position: number, key: string): string =>
  `Work unit #${position} has unknown key '${key}'`;
export const unitUnknownPlaceholder = (unitId: string, name: string): string =>
  `Work unit '${unitId}' command uses unknown placeholder '{${name}}'`;
export const agentUnknownPlaceholder = (name: string): string =>
  `agent.command uses unknown placeholder '{${name}}'`;
/** `value` is shown as JSON, so `0`, `1.5`, `"8"` and `null` read as written. */
export const maxWorkersOutOfRange = (value: unknown): string =>
  `max_workers must be an integer from 1 to 256 (got ${showValue(value)})`;
export const missingCommand = (unitId: string): string =>
  `Work unit '${unitId}' has no command and the plan has no agent.command (give one with --agent-command)`;
export const namespaceRootReserved = (unitId: string, raw: string, segment: string): string =>
  `Work unit '${unitId}' declares reserved path '${raw}' as an edit area. Path '${segment}' holds the unit namespaces and may not be used as an allowed_directory. Choose a project-owned subdirectory.`;

// §8.8: the longest duration; `field` is the key's path in the plan, `raw` the value as written.
export const durationTooLong = (field: string, raw: string): string =>
  `${field} must be at most 7d (got ${raw})`;

// §7.15: variables agent-fanout itself sets.
export const unitReservedEnv = (unitId: string, name: string): string =>
  `Work unit '${unitId}' env may not set reserved variable '${name}'`;
export const agentReservedEnv = (name: string): string => `agent.env may not set reserved variable '${name}'`;

// §2.2: graph rules.
export const duplicateUnitId = (unitId: string): string => `Duplicate work unit id: ${unitId}`;
export const selfDependency = (unitId: string): string => `Work unit '${unitId}' depends on itself`;
export const unknownDependency = (dependency: string, unitId: string): string =>
  `Unknown dependency '${dependency}' in work unit '${unitId}'`;
export const dependencyCycle = (node: string): string => `Dependency cycle detected at '${node}'`;

// §2.3: same-workspace rules.
export const noAllowedDirectories = (unitId: string): string =>
  `Work unit '${unitId}' does not declare any allowed_directories. Each unit must declare the subdirectories it is permitted to edit. Choose disjoint subdirectories or merge the work units.`;
export const emptyAllowedDirectory = (unitId: string): string =>
  `Work unit '${unitId}' declares an empty allowed_directory. The empty string is a reserved path. Choose a specific subdirectory.`;
export const worktreesReserved = (unitId: string, raw: string): string =>
  `Work unit '${unitId}' declares reserved path '${raw}' as an edit area. Path '.worktrees' is reserved (defense-in-depth) and may not be used as an allowed_directory. Choose a project-owned subdirectory.`;
export const reservedPath = (unitId: string, raw: string): string =>
  `Work unit '${unitId}' declares reserved path '${raw}' as an edit area. Reserved paths (.agent, .git, .) may not be declared as allowed_directories. Choose a project-owned subdirectory.`;
export const editAreasOverlap = (unitA: string, dirA: string, unitB: string, dirB: string): string =>
  `Work unit '${unitA}' edit area '${dirA}' overlaps with work unit '${unitB}' edit area '${dirB}'. Choose disjoint subdirectories or merge the work units.`;

// Texts of our own (SPEC leaves them open).

/** A field rule SPEC words no text for: `<path>: <problem and how to fix it>`. */
export const fieldProblem = (path: string, problem: string): string => `${path}: ${problem}`;

/** The one warning for a Ralph planning artifact's extra top-level keys (SPEC §1). */
export const unknownTopLevelKeysIgnored = (keys: readonly string[]): string =>
  `ignoring unknown top-level key${keys.length === 1 ? '' : 's'} ${keys.map((key) => `'${key}'`).join(', ')} ` +
  '(fine for a Ralph planning artifact; otherwise check the spelling)';

export const agentCommandOverrideIgnored = (): string =>
  '--agent-command is ignored because the plan sets agent.command; remove one of them';

const SHOWN_VALUE_LIMIT = 60;

/** A plan value as JSON, cut short so a message stays on one line. */
export function showValue(value: unknown): string {
  const json =
    value === undefined
      ? 'nothing'
      : typeof value === 'number'
        ? String(value)
        : (JSON.stringify(value) ?? typeof value);
  return json.length > SHOWN_VALUE_LIMIT ? `${json.slice(0, SHOWN_VALUE_LIMIT)}…` : json;
}

/** A top-level key one typo from a known one (SPEC §1: an error naming the key it resembles). */
export const misspeltTopLevelKey = (key: string, known: string): string =>
  `${key}: unknown top-level key, too close to '${known}' to ignore`;

// §8.5: appended to a §2.3 text when the directory was judged as it resolves.
export const viaSymlink = (raw: string, resolved: string): string =>
  ` (via symlink '${raw}' -> '${resolved}')`;

/** `agent.writable` entries (SPEC §8.1); texts of our own. */
export const writableIsRoot = (raw: string): string =>
  `agent.writable '${raw}' is the whole repo; list the specific paths every agent may write, like 'tmp/cache'`;
export const writableReserved = (raw: string): string =>
  `agent.writable '${raw}' is reserved (.git, .agent and the unit namespaces are never shared); list a project-owned path`;
export const writableOverlapsUnit = (raw: string, unitId: string, area: string): string =>
  `agent.writable '${raw}' overlaps unit '${unitId}' edit area '${area}'; a shared writable path must lie outside every unit's allowed_directories`;
