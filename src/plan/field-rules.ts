/**
 * Field rules (SPEC §2.1) that need no schema library, so the workflow can re-check a plan it
 * receives from any client. The zod schema calls the same functions for the texts SPEC fixes.
 */
import {
  agentReservedEnv,
  agentUnknownPlaceholder,
  allowedDirectoryAbsolute,
  allowedDirectoryBackslash,
  allowedDirectoryEmpty,
  allowedDirectoryParent,
  fieldProblem,
  maxWorkersOutOfRange,
  missingCommand,
  unitIdInvalidCharacter,
  unitIdTooLong,
  unitReservedEnv,
  unitUnknownPlaceholder,
} from './messages';
import { unknownPlaceholders } from './placeholders';
import { firstMessage, unitPath, type RuleProblem } from './rule-problem';
import type { Plan, WorkUnit } from './types';

export const UNIT_ID_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
export const MAX_WORKERS_LIMIT = 256;
const UNIT_ID_MAX_LENGTH = 64;
const UNIT_ID_CHARACTER = /[a-zA-Z0-9_-]/;
const RESERVED_ENV_PREFIXES = ['FANOUT_', 'RALPH_'];

export const EMPTY_UNIT_ID_PROBLEM = 'must not be empty; give the unit an id of letters, digits, _ and -';

/** SPEC §1's text for a non-empty unit_id that breaks the pattern (length first, then characters). */
export function unitIdProblem(unitId: string): string | undefined {
  const characters = [...unitId];
  if (characters.length > UNIT_ID_MAX_LENGTH) return unitIdTooLong(unitId);
  const invalid = characters.find((character) => !UNIT_ID_CHARACTER.test(character));
  return invalid === undefined ? undefined : unitIdInvalidCharacter(invalid);
}

/** SPEC §1's text for an allowed_directories entry as written, checked in the order SPEC lists. */
export function allowedDirectoryProblem(raw: string): string | undefined {
  if (raw === '') return allowedDirectoryEmpty();
  if (raw.includes('\\')) return allowedDirectoryBackslash();
  if (raw.startsWith('/')) return allowedDirectoryAbsolute();
  if (raw.split('/').includes('..')) return allowedDirectoryParent();
  return undefined;
}

export function isValidMaxWorkers(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_WORKERS_LIMIT;
}

/** The variables the plan may not set (SPEC §7.15), in the order the plan lists them. */
export function reservedEnvNames(env: Readonly<Record<string, string>>): string[] {
  return Object.keys(env).filter((name) => RESERVED_ENV_PREFIXES.some((prefix) => name.startsWith(prefix)));
}

export interface FieldRuleOptions {
  /** False for uses that never start an agent (drawing the graph): a missing command is then fine. */
  readonly requireCommand?: boolean;
}

/** The first field-rule failure of a normalized plan (see {@link collectFieldProblems}). */
export function checkFieldRules(plan: Plan, options: FieldRuleOptions = {}): string | undefined {
  return firstMessage(collectFieldProblems(plan, options));
}

/**
 * Every field-rule failure of a normalized plan, in SPEC order. Structural rules (max_workers,
 * unit ids, allowed_directories entries) come first; then the rules that need the whole plan:
 * agent command and env, then per unit its command placeholders, env and the missing command.
 */
export function collectFieldProblems(plan: Plan, options: FieldRuleOptions = {}): RuleProblem[] {
  const requireCommand = options.requireCommand ?? true;
  return [
    ...(isValidMaxWorkers(plan.maxWorkers)
      ? []
      : [{ message: maxWorkersOutOfRange(plan.maxWorkers), path: ['max_workers'] }]),
    ...plan.workUnits.flatMap(structuralProblems),
    ...agentProblems(plan),
    ...plan.workUnits.flatMap((unit, index) => unitCommandProblems(plan, unit, index, requireCommand)),
  ];
}

function structuralProblems(unit: WorkUnit, index: number): RuleProblem[] {
  if (unit.unitId === '')
    return [
      {
        message: fieldProblem(`work_units[${index}].unit_id`, EMPTY_UNIT_ID_PROBLEM),
        path: unitPath(index, 'unit_id'),
      },
    ];
  const idProblem = unitIdProblem(unit.unitId);
  return [
    ...(idProblem === undefined ? [] : [{ message: idProblem, path: unitPath(index, 'unit_id') }]),
    ...unit.allowedDirectories.flatMap((raw, position) => {
      const message = allowedDirectoryProblem(raw);
      return message === undefined
        ? []
        : [{ message, path: unitPath(index, 'allowed_directories', position) }];
    }),
  ];
}

function agentProblems(plan: Plan): RuleProblem[] {
  return [
    ...unknownPlaceholders(plan.agent.command ?? []).map(({ name, index }) => ({
      message: agentUnknownPlaceholder(name),
      path: ['agent', 'command', index],
    })),
    ...reservedEnvNames(plan.agent.env).map((name) => ({
      message: agentReservedEnv(name),
      path: ['agent', 'env', name],
      atKey: true,
    })),
  ];
}

function unitCommandProblems(
  plan: Plan,
  unit: WorkUnit,
  index: number,
  requireCommand: boolean,
): RuleProblem[] {
  return [
    ...unknownPlaceholders(unit.command ?? []).map(({ name, index: element }) => ({
      message: unitUnknownPlaceholder(unit.unitId, name),
      path: unitPath(index, 'command', element),
    })),
    ...reservedEnvNames(unit.env ?? {}).map((name) => ({
      message: unitReservedEnv(unit.unitId, name),
      path: unitPath(index, 'env', name),
      atKey: true,
    })),
    ...(requireCommand && !unit.command && !plan.agent.command
      ? [{ message: missingCommand(unit.unitId), path: unitPath(index) }]
      : []),
  ];
}
