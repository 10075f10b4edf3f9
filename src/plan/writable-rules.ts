/**
 * `agent.writable` (SPEC §8.1): repo paths every agent may also write, so each must be a place
 * that belongs to no one — never `.git`, `.agent`, the namespace root or a unit's edit area.
 */
import { writableReserved, writableOverlapsUnit, writableIsRoot } from './messages';
import { directorySegments, segmentsOverlap } from './overlap';
import type { RuleProblem } from './rule-problem';
import type { Plan } from './types';

export function collectWritableProblems(
  plan: Pick<Plan, 'agent' | 'namespaceRoot' | 'workUnits'>,
): RuleProblem[] {
  const namespace = directorySegments(plan.namespaceRoot);
  return (plan.agent.writable ?? []).flatMap((raw, index): RuleProblem[] => {
    const message = writableProblem(raw, namespace, plan.workUnits);
    return message === undefined ? [] : [{ message, path: ['agent', 'writable', index] }];
  });
}

function writableProblem(
  raw: string,
  namespace: readonly string[],
  units: Plan['workUnits'],
): string | undefined {
  const segments = directorySegments(raw);
  const first = segments[0];
  if (first === undefined) return writableIsRoot(raw);
  if (first === '.git' || first === '.agent' || segmentsOverlap(segments, namespace))
    return writableReserved(raw);
  for (const unit of units) {
    const area = unit.allowedDirectories.find((dir) => segmentsOverlap(segments, directorySegments(dir)));
    if (area !== undefined) return writableOverlapsUnit(raw, unit.unitId, area);
  }
  return undefined;
}
