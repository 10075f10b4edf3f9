/**
 * Graph rules (SPEC §2.2), checked in plan order: duplicate ids, then per unit its
 * self-dependency and unknown dependencies, then cycles.
 */
import { firstFailure } from './first-failure';
import { dependencyCycle, duplicateUnitId, selfDependency, unknownDependency } from './messages';
import type { WorkUnit } from './types';

export function checkGraphRules(units: readonly WorkUnit[]): string | undefined {
  return firstFailure([
    () => duplicateProblem(units),
    () => dependencyProblem(units),
    () => cycleProblem(units),
  ]);
}

function duplicateProblem(units: readonly WorkUnit[]): string | undefined {
  const seen = new Set<string>();
  for (const { unitId } of units) {
    if (seen.has(unitId)) return duplicateUnitId(unitId);
    seen.add(unitId);
  }
  return undefined;
}

function dependencyProblem(units: readonly WorkUnit[]): string | undefined {
  const ids = new Set(units.map((unit) => unit.unitId));
  for (const { unitId, dependencies } of units) {
    if (dependencies.includes(unitId)) return selfDependency(unitId);
    const unknown = dependencies.find((dependency) => !ids.has(dependency));
    if (unknown !== undefined) return unknownDependency(unknown, unitId);
  }
  return undefined;
}

/**
 * Depth-first from each unit in plan order, following dependencies in listed order; the first
 * node met again while on the current path names the cycle (a↔b names a; a→c→b→a names a).
 * Iterative, so a long chain cannot overflow the call stack.
 */
function cycleProblem(units: readonly WorkUnit[]): string | undefined {
  const dependenciesOf = new Map(units.map((unit) => [unit.unitId, unit.dependencies]));
  const finished = new Set<string>();
  for (const { unitId } of units) {
    if (finished.has(unitId)) continue;
    const onPath = new Set([unitId]);
    const path = [{ node: unitId, next: 0 }];
    for (let top = path.at(-1); top !== undefined; top = path.at(-1)) {
      const dependency = dependenciesOf.get(top.node)?.[top.next];
      top.next += 1;
      if (dependency === undefined) {
        path.pop();
        onPath.delete(top.node);
        finished.add(top.node);
      } else if (onPath.has(dependency)) {
        return dependencyCycle(dependency);
      } else if (!finished.has(dependency)) {
        onPath.add(dependency);
        path.push({ node: dependency, next: 0 });
      }
    }
  }
  return undefined;
}
