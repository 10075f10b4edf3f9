/**
 * `retry --plan`: which units of an edited plan may reuse the retried run's successes.
 *
 * A unit is **unchanged** when everything that decides what its agent does and where its
 * evidence is judged is the same in both plans: its description, its resolved command (the
 * unit's own, else `agent.command`, placeholders as written), its resolved environment
 * (`agent.env` with the unit's `env` on top), its `allowed_directories` and `dependencies` (as
 * sets), plus the plan's `evidence.pattern` and `namespace_root`. Limits and scheduling
 * (`timeout`, `idle_timeout`, `retry`, `grace`, `max_workers`, `on_failure`, `overlap`, `name`)
 * do not count: they change how an agent is run, not what it was asked to do.
 *
 * A succeeded unit is reused only when it is unchanged and every unit it depends on is reused
 * too: work built on a dependency that runs again runs again. New units run; removed units are
 * gone from the new run.
 */
import type { Plan, WorkUnit } from '../../plan/types';
import { resolveUnitSettings } from '../../plan/unit-settings';

export interface PlanChanges {
  /** In the new plan's order. */
  readonly changed: readonly string[];
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Unchanged units that run again because a dependency of theirs does. */
  readonly dependentsOfChanged: readonly string[];
  /** Every unit of the new plan that must not reuse an earlier success. */
  readonly rerun: ReadonlySet<string>;
}

/** What decides a unit's work, as one comparable string (see the module comment). */
export function unitDefinition(plan: Plan, unit: WorkUnit): string {
  const settings = resolveUnitSettings(plan, unit);
  const env = Object.entries(settings.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify({
    description: unit.description,
    command: settings.command,
    env,
    allowedDirectories: [...unit.allowedDirectories].sort(),
    dependencies: [...unit.dependencies].sort(),
    evidencePattern: settings.evidencePattern,
    namespaceRoot: plan.namespaceRoot,
  });
}

export function comparePlans(oldPlan: Plan, newPlan: Plan): PlanChanges {
  const before = new Map(oldPlan.workUnits.map((unit) => [unit.unitId, unitDefinition(oldPlan, unit)]));
  const newIds = new Set(newPlan.workUnits.map((unit) => unit.unitId));
  const added: string[] = [];
  const changed: string[] = [];
  for (const unit of newPlan.workUnits) {
    const earlier = before.get(unit.unitId);
    if (earlier === undefined) added.push(unit.unitId);
    else if (earlier !== unitDefinition(newPlan, unit)) changed.push(unit.unitId);
  }
  const rerun = new Set([...added, ...changed]);
  const dependentsOfChanged: string[] = [];
  // Validation guarantees no cycles; repeat until no unit joins (at most one pass per unit).
  for (let grew = true; grew;) {
    grew = false;
    for (const unit of newPlan.workUnits) {
      if (rerun.has(unit.unitId) || !unit.dependencies.some((dependency) => rerun.has(dependency))) continue;
      rerun.add(unit.unitId);
      dependentsOfChanged.push(unit.unitId);
      grew = true;
    }
  }
  const removed = oldPlan.workUnits.map((unit) => unit.unitId).filter((id) => !newIds.has(id));
  return { changed, added, removed, dependentsOfChanged, rerun };
}

/** One line for stderr, e.g. `plan changes: 1 changed (b), 1 new (d), 1 removed (x)`. */
export function describePlanChanges(changes: PlanChanges): string {
  const part = (count: number, label: string, ids: readonly string[]): string[] =>
    count === 0 ? [] : [`${count} ${label} (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''})`];
  const parts = [
    ...part(changes.changed.length, 'changed', changes.changed),
    ...part(changes.added.length, 'new', changes.added),
    ...part(changes.removed.length, 'removed', changes.removed),
    ...part(
      changes.dependentsOfChanged.length,
      'run again after a changed dependency',
      changes.dependentsOfChanged,
    ),
  ];
  return `plan changes: ${parts.length === 0 ? 'none' : parts.join(', ')}; every other unit that succeeded is reused`;
}
