/**
 * How many launches in a run's event list went ahead of a unit that was ready with a smaller id
 * (SPEC §3: ready units launch in code-point order). With `--prefetch`, a unit whose slot is
 * handed over on its worker may be recorded after another that started at about the same time.
 */
import { compareCodePoints } from '../plan/overlap';
import type { FanoutEvent } from '../plan/types';
import type { BenchUnit } from './shapes';

export function launchesAheadOfReady(
  events: readonly FanoutEvent[],
  units: readonly BenchUnit[],
): { ahead: number; launches: number } {
  const unmet = new Map(units.map((unit) => [unit.unitId, new Set(unit.dependencies).size]));
  const dependents = new Map<string, string[]>();
  for (const unit of units)
    for (const dep of new Set(unit.dependencies))
      dependents.set(dep, [...(dependents.get(dep) ?? []), unit.unitId]);
  const ready: string[] = units
    .filter((unit) => unit.dependencies.length === 0)
    .map((unit) => unit.unitId)
    .sort(compareCodePoints);
  const insert = (unitId: string): void => {
    let low = 0;
    let high = ready.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareCodePoints(ready[middle] as string, unitId) < 0) low = middle + 1;
      else high = middle;
    }
    ready.splice(low, 0, unitId);
  };
  let ahead = 0;
  let launches = 0;
  for (const event of events) {
    if (event.type === 'worker_started') {
      launches += 1;
      if (ready.length > 0 && compareCodePoints(ready[0] as string, event.unit_id) < 0) ahead += 1;
      const index = ready.indexOf(event.unit_id);
      if (index >= 0) ready.splice(index, 1);
    } else if (event.type === 'worker_completed') {
      for (const dependent of dependents.get(event.unit_id) ?? []) {
        const left = (unmet.get(dependent) ?? 0) - 1;
        unmet.set(dependent, left);
        if (left === 0) insert(dependent);
      }
    }
  }
  return { ahead, launches };
}
