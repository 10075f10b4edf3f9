/**
 * Field rules (SPEC §2.1) that need no schema library, so the workflow can re-check a plan it
 * receives from any client. The zod schema calls the same functions for the texts SPEC fixes.
 */
import { firstFailure } from './first-failure';
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
import { firstUnknownPlaceholder } from './placeholders';
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

/** The first variable the plan may not set (SPEC §7.15), in the order the plan lists them. */
export function firstReservedEnvName(env: Readonly<Record<string, string>>): string | undefined {
  return Object.keys(env).find((name) => RESERVED_ENV_PREFIXES.some((prefix) => name.startsWith(prefix)));
}

export interface FieldRuleOptions {
  /** False for uses that never start an agent (drawing the graph): a missing command is then fine. */
  readonly requireCommand?: boolean;
}

/**
 * The first field-rule failure of a normalized plan. Structural rules (max_workers, unit ids,
 * allowed_directories entries) come first; then the rules that need the whole plan: agent
 * command and env, then per unit its command placeholders, env and the missing command.
 */
export function checkFieldRules(plan: Plan, options: FieldRuleOptions = {}): string | undefined {
  return firstFailure([
    () => (isValidMaxWorkers(plan.maxWorkers) ? undefined : maxWorkersOutOfRange(plan.maxWorkers)),
    ...plan.workUnits.map((unit, index) => () => structuralProblem(unit, index)),
    () => agentProblem(plan),
    ...plan.workUnits.map((unit) => () => unitCommandProblem(plan, unit, options.requireCommand ?? true)),
  ]);
}

function structuralProblem(unit: WorkUnit, index: number): string | undefined {
  if (unit.unitId === '') return fieldProblem(`work_units[${index}].unit_id`, EMPTY_UNIT_ID_PROBLEM);
  return (
    unitIdProblem(unit.unitId) ??
    firstFailure(unit.allowedDirectories.map((raw) => () => allowedDirectoryProblem(raw)))
  );
}

function agentProblem(plan: Plan): string | undefined {
  const placeholder = plan.agent.command && firstUnknownPlaceholder(plan.agent.command);
  if (placeholder !== undefined) return agentUnknownPlaceholder(placeholder);
  const reserved = firstReservedEnvName(plan.agent.env);
  return reserved === undefined ? undefined : agentReservedEnv(reserved);
}

function unitCommandProblem(plan: Plan, unit: WorkUnit, requireCommand: boolean): string | undefined {
  const placeholder = unit.command && firstUnknownPlaceholder(unit.command);
  if (placeholder !== undefined) return unitUnknownPlaceholder(unit.unitId, placeholder);
  const reserved = unit.env && firstReservedEnvName(unit.env);
  if (reserved !== undefined) return unitReservedEnv(unit.unitId, reserved);
  if (requireCommand && !unit.command && !plan.agent.command) return missingCommand(unit.unitId);
  return undefined;
}
