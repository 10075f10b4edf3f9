/**
 * A plan file that breaks field rules can still be checked for graph and workspace problems on
 * its sound parts, so `validate` reports independent problems in one pass (SPEC §2). This builds
 * that partial plan: values zod refused are dropped (defaults apply) or replaced by stand-ins no
 * rule objects to, and a unit without a usable id is left out, its id (if it has a string one)
 * still counting as known to the units that depend on it. The partial plan is only ever checked,
 * never run. What it cannot check is said in `notes`.
 */
import type { z } from 'zod';
import { allowedDirectoryProblem } from './field-rules';
import { toPlan, type NormalizeOptions } from './normalize';
import { NESTED_KEYS, planSchema } from './schema';
import type { Plan } from './types';

type Issue = z.core.$ZodIssue;
type Mutable = Record<string, unknown>;

export interface SalvagedPlan {
  readonly plan: Plan;
  /** `plan.workUnits[i]` is the plan file's `work_units[unitIndices[i]]`. */
  readonly unitIndices: readonly number[];
  /** Positions in `plan.workUnits` of units whose edit areas could not be read. */
  readonly withoutEditAreas: ReadonlySet<number>;
  /** Ids of units left out: depending on them is fine. */
  readonly otherUnitIds: ReadonlySet<string>;
  /** False when `overlap` itself is broken: overlapping edit areas are not looked for. */
  readonly checkOverlap: boolean;
  readonly notes: readonly string[];
}

export interface NothingSalvaged {
  readonly plan?: undefined;
  readonly notes: readonly string[];
}

const STAND_IN_COMMAND = ['agent'];
const STAND_IN_DESCRIPTION = 'description';

export function salvagePlan(
  raw: Readonly<Record<string, unknown>>,
  issues: readonly Issue[],
  options: NormalizeOptions,
): SalvagedPlan | NothingSalvaged {
  const notRun = (why: string): NothingSalvaged => ({
    notes: [`dependencies and edit areas were not checked: ${why}; fix it and validate again`],
  });
  const copy = structuredClone(raw) as Mutable;
  const units = copy['work_units'];
  if (!Array.isArray(units)) return notRun('work_units is missing or not a list');
  const brokenKeys = new Map<number, Set<string>>();
  for (const issue of issues) {
    const [top, index, key] = issue.path;
    if (top !== 'work_units') repairTopLevel(copy, issue);
    else if (typeof index !== 'number') return notRun('work_units is missing or not a list');
    else {
      const keys = brokenKeys.get(index) ?? new Set<string>();
      brokenKeys.set(index, keys);
      const unknown = issue.code === 'unrecognized_keys' && issue.path.length === 2;
      for (const broken of unknown ? issue.keys : [typeof key === 'string' ? key : '']) keys.add(broken);
    }
  }
  const repaired = repairUnits(units, brokenKeys);
  copy['work_units'] = repaired.units.map(({ unit }) => unit);
  const parsed = planSchema.safeParse(copy);
  const checkOverlap = !issues.some((issue) => issue.path[0] === 'overlap');
  if (!parsed.success) return notRun('the problems above leave too little of the plan');
  return {
    plan: toPlan(parsed.data, options),
    unitIndices: repaired.units.map(({ index }) => index),
    withoutEditAreas: new Set(
      repaired.units.flatMap(({ withoutEditAreas }, position) => (withoutEditAreas ? [position] : [])),
    ),
    otherUnitIds: repaired.otherUnitIds,
    checkOverlap,
    notes: [
      ...repaired.unnamed.map(
        (position) =>
          `work unit #${position} has no usable unit_id, so dependencies on it could not be told from unknown ones`,
      ),
      ...(checkOverlap ? [] : ['edit areas were not checked for overlaps: overlap itself is not valid']),
    ],
  };
}

/** Drops a broken top-level value (its default applies), or the broken key of a nested object. */
function repairTopLevel(copy: Mutable, issue: Issue): void {
  const [top, nested] = issue.path;
  if (typeof top !== 'string') return;
  const holder = copy[top];
  const isObject = holder !== null && typeof holder === 'object' && !Array.isArray(holder);
  if (isObject && top in NESTED_KEYS && (typeof nested === 'string' || issue.code === 'unrecognized_keys')) {
    const keys = issue.code === 'unrecognized_keys' && nested === undefined ? issue.keys : [String(nested)];
    for (const key of keys) delete (holder as Mutable)[key];
    // A broken agent.command must not make every unit "have no command".
    if (top === 'agent' && keys.includes('command')) (holder as Mutable)['command'] = STAND_IN_COMMAND;
  } else {
    delete copy[top];
  }
}

interface RepairedUnit {
  readonly unit: unknown;
  readonly index: number;
  readonly withoutEditAreas: boolean;
}

function repairUnits(units: readonly unknown[], brokenKeys: ReadonlyMap<number, ReadonlySet<string>>) {
  const kept: RepairedUnit[] = [];
  const otherUnitIds = new Set<string>();
  const unnamed: number[] = [];
  units.forEach((unit, index) => {
    const keys = brokenKeys.get(index);
    if (keys === undefined) return kept.push({ unit, index, withoutEditAreas: false });
    const isObject = unit !== null && typeof unit === 'object' && !Array.isArray(unit);
    if (!isObject || keys.has('') || keys.has('unit_id')) {
      const unitId = isObject ? (unit as Mutable)['unit_id'] : undefined;
      if (typeof unitId === 'string') otherUnitIds.add(unitId);
      else unnamed.push(index + 1);
      return;
    }
    const repaired = { ...(unit as Mutable) };
    let withoutEditAreas = false;
    for (const key of keys) {
      if (key === 'description') repaired[key] = STAND_IN_DESCRIPTION;
      else if (key === 'command') repaired[key] = STAND_IN_COMMAND;
      else if (key === 'allowed_directories') {
        const sound = soundDirectories(repaired[key]);
        repaired[key] = sound;
        withoutEditAreas = sound.length === 0;
      } else if (key === 'dependencies') repaired[key] = stringsOf(repaired[key]);
      else delete repaired[key];
    }
    kept.push({ unit: repaired, index, withoutEditAreas });
  });
  return { units: kept, otherUnitIds, unnamed };
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function soundDirectories(value: unknown): string[] {
  return stringsOf(value).filter((raw) => allowedDirectoryProblem(raw) === undefined);
}
