/**
 * What a valid plan's dependency graph predicts: the waves the scheduler would launch if every
 * unit took the same time, and the critical path. A prediction only: real durations differ.
 */
import { compareCodePoints } from './overlap';
import { Scheduler } from './scheduler';
import type { Plan } from './types';

/**
 * The units launched together, wave by wave, by the real scheduler (SPEC §3) when durations are
 * equal: a wave's units all finish at once and their completions are handled one by one in
 * launch order, each followed by a re-plan, so a freed slot may go to a unit the next
 * completion would not yet have made ready.
 */
export function predictWaves(plan: Plan, maxWorkers: number = plan.maxWorkers): string[][] {
  const scheduler = new Scheduler(plan.workUnits, { maxWorkers, overlap: plan.overlap });
  const waves: string[][] = [];
  for (let wave = scheduler.launch(); wave.length > 0;) {
    waves.push(wave);
    const next: string[] = [];
    for (const unitId of wave) {
      scheduler.succeeded(unitId);
      next.push(...scheduler.launch());
    }
    wave = next;
  }
  return waves;
}

/**
 * One longest dependency chain, first unit first; its length is the least number of waves the
 * plan needs with unlimited workers. Ties go to the smallest unit_id.
 */
export function criticalPath(plan: Plan): string[] {
  const byId = new Map(plan.workUnits.map((unit) => [unit.unitId, unit]));
  const depth = new Map<string, number>();
  const depthOf = (unitId: string): number => {
    const known = depth.get(unitId);
    if (known !== undefined) return known;
    // Depth-first over an acyclic graph, iterative so long chains cannot overflow the stack.
    const stack = [unitId];
    while (stack.length > 0) {
      const current = stack.at(-1) ?? '';
      const dependencies = byId.get(current)?.dependencies ?? [];
      const unresolved = dependencies.filter((dependency) => !depth.has(dependency));
      if (unresolved.length > 0) {
        stack.push(...unresolved);
        continue;
      }
      stack.pop();
      depth.set(current, 1 + Math.max(0, ...dependencies.map((dependency) => depth.get(dependency) ?? 0)));
    }
    return depth.get(unitId) ?? 0;
  };
  const deepestAmong = (unitIds: readonly string[]): string | undefined =>
    [...unitIds].sort((a, b) => depthOf(b) - depthOf(a) || compareCodePoints(a, b))[0];

  const path: string[] = [];
  for (let unitId = deepestAmong([...byId.keys()]); unitId !== undefined;) {
    path.unshift(unitId);
    unitId = deepestAmong(byId.get(unitId)?.dependencies ?? []);
  }
  return path;
}

/** Distinct dependency edges (a dependency listed twice counts once). */
export function dependencyCount(plan: Plan): number {
  return plan.workUnits.reduce((count, unit) => count + new Set(unit.dependencies).size, 0);
}
