/**
 * Turns zod's issues about a plan file into the problems the user sees, the first one first.
 *
 * Issues are ordered by where they sit in the document (key
 * order as written, list positions), and an object's own issue (an unknown key) comes before
 * the issues of its fields, since a misspelt key often explains a "missing" one.
 * SPEC-fixed texts are shown as they are; every other message gets the field's path in front.
 */
import type { z } from 'zod';
import { UNIT_ID_PATTERN } from './field-rules';
import {
  durationTooLong,
  fieldProblem,
  maxWorkersOutOfRange,
  showValue,
  unknownKeyInUnnamedUnit,
  unknownUnitKey,
} from './messages';
import type { PlanPath, RuleProblem } from './rule-problem';
import { DURATION_CAP, NESTED_KEYS, UNIT_KEYS } from './schema';
import { closestName, didYouMean } from './suggest';

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;
type Path = readonly PropertyKey[];

export interface PlanIssueReport {
  readonly message: string;
  /** Where in the plan the problem is, e.g. `work_units[1].timeout`. */
  readonly location: string;
}

/** zod's issues about a plan file, in document order, one problem per unknown key. */
export function issueProblems(issues: readonly Issue[], raw: unknown): RuleProblem[] {
  return sortInDocumentOrder(issues, raw).flatMap((issue) => problemsOf(issue, raw));
}

/** Items sorted by where their `path` sits in the plan as written (see the module comment). */
export function sortInDocumentOrder<T extends { readonly path: Path }>(
  items: readonly T[],
  raw: unknown,
): T[] {
  return [...items].sort((a, b) => compareDocumentOrder(raw, a.path, b.path));
}

export function reportFirstIssue(issues: readonly Issue[], raw: unknown): PlanIssueReport {
  const [first] = issueProblems(issues, raw);
  if (!first) throw new Error('reportFirstIssue needs at least one issue');
  return { message: first.message, location: formatPath(first.path) };
}

function problemsOf(issue: Issue, raw: unknown): RuleProblem[] {
  const path = issue.path.map((segment) => (typeof segment === 'number' ? segment : String(segment)));
  if (issue.code === 'unrecognized_keys') return unknownKeyProblems(issue.keys, path, raw, issue.message);
  const message = exactText(issue, raw) ?? fieldProblem(formatPath(issue.path), issue.message);
  return [{ message, path }];
}

/** Names other tools give a unit's keys, for "did you mean": too far from ours for edit distance. */
const UNIT_KEY_SYNONYMS: ReadonlyMap<string, string> = new Map([
  ['depends_on', 'dependencies'],
  ['dependsOn', 'dependencies'],
  ['deps', 'dependencies'],
  ['needs', 'dependencies'],
  ['after', 'dependencies'],
  ['directories', 'allowed_directories'],
  ['allowedDirectories', 'allowed_directories'],
  ['paths', 'allowed_directories'],
  ['id', 'unit_id'],
  ['unitId', 'unit_id'],
  ['prompt', 'description'],
]);

/** A unit's unknown keys one by one, with SPEC's text; a nested object's in zod's one message. */
function unknownKeyProblems(keys: readonly string[], path: PlanPath, raw: unknown, message: string) {
  const [top, index] = path;
  const owner = [...path].reverse().find((segment): segment is string => typeof segment === 'string');
  const allowed = top === 'work_units' && path.length === 2 ? UNIT_KEYS : NESTED_KEYS[owner ?? ''];
  const hintsFor = (key: string) => {
    const synonym = allowed === UNIT_KEYS ? UNIT_KEY_SYNONYMS.get(key) : undefined;
    const suggestion = allowed && (closestName(key, allowed) ?? synonym);
    return suggestion ? [didYouMean(suggestion)] : [];
  };
  if (allowed !== UNIT_KEYS || typeof index !== 'number') {
    const [first = ''] = keys;
    return [
      {
        message: fieldProblem(formatPath(path), message),
        path: [...path, first],
        atKey: true,
        hints: hintsFor(first),
      },
    ];
  }
  const unitId = valueAt(raw, [...path, 'unit_id']);
  return keys.map((key) => ({
    message:
      typeof unitId === 'string' && UNIT_ID_PATTERN.test(unitId)
        ? unknownUnitKey(unitId, key)
        : unknownKeyInUnnamedUnit(index + 1, key),
    path: [...path, key],
    atKey: true,
    hints: [...hintsFor(key), `allowed keys: ${UNIT_KEYS.join(', ')}`],
  }));
}

/** The texts SPEC fixes for these fields, whatever zod found wrong with them. */
function exactText(issue: Issue, raw: unknown): string | undefined {
  if (issue.code === 'custom' && issue.params?.['exact'] === true) return issue.message;
  const cappedDuration: unknown = issue.code === 'custom' ? issue.params?.[DURATION_CAP] : undefined;
  if (typeof cappedDuration === 'string') return durationTooLong(formatPath(issue.path), cappedDuration);
  if (issue.path[0] === 'max_workers' && issue.path.length === 1)
    return maxWorkersOutOfRange(valueAt(raw, issue.path));
  return undefined;
}

/** The parse-level error map: texts for zod's own checks, where a schema gives none of its own. */
export function describeIssue(issue: RawIssue): string | undefined {
  const input = issue.input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `missing; ${missingHint(issue.path ?? [])}`;
      return `expected ${noun(issue.expected)}, got ${describeValue(input)}${quoteHint(issue.expected, input)}`;
    case 'invalid_value':
      return `${showValue(input)} is not allowed; use one of ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return unknownKeysText(issue.keys, issue.path ?? []);
    case 'too_small':
      return tooSmallText(issue.origin, Number(issue.minimum), input);
    case 'too_big':
      return tooBigText(issue.origin, Number(issue.maximum), input);
    case 'invalid_key':
      return issue.issues[0]?.message;
    default:
      return undefined;
  }
}

function missingHint(path: Path): string {
  switch (path.at(-1)) {
    case 'work_units':
      return 'a plan lists its units under work_units (an empty list is allowed)';
    case 'unit_id':
      return 'every unit needs an id of letters, digits, _ and -';
    case 'description':
      return "every unit needs one: it is the agent's prompt";
    default:
      return 'add it';
  }
}

function unknownKeysText(keys: readonly string[], path: Path): string {
  const owner = [...path].reverse().find((segment): segment is string => typeof segment === 'string');
  const allowed = owner === undefined ? undefined : NESTED_KEYS[owner];
  const listed = keys.map((key) => `'${key}'`).join(', ');
  return `unknown key${keys.length === 1 ? '' : 's'} ${listed}${allowed ? `; allowed: ${allowed.join(', ')}` : ''}`;
}

function tooSmallText(origin: string, minimum: number, input: unknown): string {
  if (origin === 'string')
    return minimum === 1 ? 'must not be empty' : `must be at least ${minimum} characters`;
  if (origin === 'array') return `must list at least ${minimum} item${minimum === 1 ? '' : 's'}`;
  return `must be at least ${minimum} (got ${showValue(input)})`;
}

function tooBigText(origin: string, maximum: number, input: unknown): string {
  if (origin === 'string') return `must be at most ${maximum} characters (got ${String(input).length})`;
  if (origin === 'array') return `must list at most ${maximum} items`;
  return `must be at most ${maximum} (got ${showValue(input)})`;
}

/** YAML reads `unit_id: 10` as a number: say how to keep it text. */
function quoteHint(expected: string, input: unknown): string {
  const scalar = typeof input === 'number' || typeof input === 'boolean';
  return expected === 'string' && scalar ? `; quote it ("${String(input)}")` : '';
}

function noun(expected: string): string {
  const nouns: Record<string, string> = {
    array: 'a list',
    object: 'an object',
    int: 'an integer',
    record: 'an object',
  };
  return nouns[expected] ?? `a ${expected}`;
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'an object';
  return showValue(value);
}

/** `work_units[1].env.NAME`; keys that are not identifiers are quoted: `env["A-B"]`. */
export function formatPath(path: Path): string {
  const text = path
    .map((segment) =>
      typeof segment === 'number'
        ? `[${segment}]`
        : /^[A-Za-z_][A-Za-z0-9_]*$/.test(String(segment))
          ? `.${String(segment)}`
          : `[${JSON.stringify(String(segment))}]`,
    )
    .join('');
  return text.startsWith('.') ? text.slice(1) : text || 'plan';
}

function compareDocumentOrder(raw: unknown, a: Path, b: Path): number {
  let node = raw;
  for (let depth = 0; depth < Math.min(a.length, b.length); depth += 1) {
    if (a[depth] !== b[depth]) return positionOf(node, a[depth]) - positionOf(node, b[depth]);
    node = childOf(node, a[depth]);
  }
  return a.length - b.length;
}

/** A key's position as written; a missing key sorts after every written one. */
function positionOf(node: unknown, segment: PropertyKey | undefined): number {
  if (typeof segment === 'number') return segment;
  const keys = node !== null && typeof node === 'object' ? Object.keys(node) : [];
  const position = keys.indexOf(String(segment));
  return position === -1 ? Number.MAX_SAFE_INTEGER : position;
}

function childOf(node: unknown, segment: PropertyKey | undefined): unknown {
  if (node === null || typeof node !== 'object' || segment === undefined) return undefined;
  return (node as Record<PropertyKey, unknown>)[segment];
}

function valueAt(raw: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, segment) => childOf(node, segment), raw);
}
