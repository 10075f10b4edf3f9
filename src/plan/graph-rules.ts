/**
 * Graph rules (SPEC §2.2), in plan order: duplicate ids, then per unit its self-dependency and
 * unknown dependencies, then cycles. {@link collectGraphProblems} finds every one, the first
 * first; {@link checkGraphRules} is its first message.
 */
import { dependencyCycle, duplicateUnitId, selfDependency, unknownDependency } from './messages';
import { firstMessage, unitPath, type RuleProblem } from './rule-problem';
import { closestName, didYouMean } from './suggest';
import type { WorkUnit } from './types';

export interface GraphRuleOptions {
  /**
   * Ids of units left out of `units` because of their own field problems: depending on them is
   * not an unknown dependency.
   */
  readonly otherUnitIds?: ReadonlySet<string>;
}

export function checkGraphRules(units: readonly WorkUnit[]): string | undefined {
  return firstMessage(collectGraphProblems(units));
}

export function collectGraphProblems(
  units: readonly WorkUnit[],
  options: GraphRuleOptions = {},
): RuleProblem[] {
  return [...duplicateProblems(units), ...dependencyProblems(units, options), ...cycleProblems(units)];
}

function duplicateProblems(units: readonly WorkUnit[]): RuleProblem[] {
  const seen = new Set<string>();
  const problems: RuleProblem[] = [];
  units.forEach(({ unitId }, index) => {
    if (seen.has(unitId))
      problems.push({ message: duplicateUnitId(unitId), path: unitPath(index, 'unit_id') });
    seen.add(unitId);
  });
  return problems;
}

function dependencyProblems(units: readonly WorkUnit[], options: GraphRuleOptions): RuleProblem[] {
  const ids = new Set(units.map((unit) => unit.unitId));
  const known = (id: string) => ids.has(id) || options.otherUnitIds?.has(id) === true;
  return units.flatMap(({ unitId, dependencies }, index) => {
    const problems: RuleProblem[] = [];
    const self = dependencies.indexOf(unitId);
    if (self !== -1)
      problems.push({ message: selfDependency(unitId), path: unitPath(index, 'dependencies', self) });
    dependencies.forEach((dependency, position) => {
      if (known(dependency) || dependencies.indexOf(dependency) !== position) return;
      const suggestion = closestName(dependency, ids);
      problems.push({
        message: unknownDependency(dependency, unitId),
        path: unitPath(index, 'dependencies', position),
        hints: suggestion === undefined ? [] : [didYouMean(suggestion)],
      });
    });
    return problems;
  });
}

/**
 * Depth-first from each unit in plan order, following dependencies in listed order; a node met
 * again while on the current path closes a cycle, named by that node (a↔b names a; a→c→b→a
 * names a). Each dependency is followed once, so every cycle found is told once. Iterative, so a
 * long chain cannot overflow the call stack.
 */
function cycleProblems(units: readonly WorkUnit[]): RuleProblem[] {
  const indexOf = new Map(units.map((unit, index) => [unit.unitId, index]));
  const finished = new Set<string>();
  const problems: RuleProblem[] = [];
  for (const { unitId } of units) {
    if (finished.has(unitId)) continue;
    const onPath = new Set([unitId]);
    const path = [{ node: unitId, next: 0 }];
    for (let top = path.at(-1); top !== undefined; top = path.at(-1)) {
      const index = indexOf.get(top.node);
      const dependency = index === undefined ? undefined : units[index]?.dependencies[top.next];
      top.next += 1;
      if (dependency === undefined) {
        path.pop();
        onPath.delete(top.node);
        finished.add(top.node);
      } else if (dependency === top.node) {
        continue; // a self-dependency, reported as such above
      } else if (onPath.has(dependency)) {
        const cycle = path.slice(path.findIndex((step) => step.node === dependency)).map((step) => step.node);
        problems.push({
          message: dependencyCycle(dependency),
          path: unitPath(index ?? 0, 'dependencies', top.next - 1),
          hints: [`cycle: ${[...cycle, dependency].join(' -> ')} (each unit depends on the next)`],
        });
      } else if (!finished.has(dependency) && indexOf.has(dependency)) {
        onPath.add(dependency);
        path.push({ node: dependency, next: 0 });
      }
    }
  }
  return problems;
}
