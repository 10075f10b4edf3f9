/** Plan files as objects, validated the way the CLI validates a file named plans/demo.json. */
import { validatePlanText, type PlanValidation } from '../../../src/plan/validate';

export interface UnitInput {
  readonly [key: string]: unknown;
}

/** A unit that passes every rule, with its own directory and command. */
export const goodUnit = (unitId: string, extra: UnitInput = {}): UnitInput => ({
  unit_id: unitId,
  description: `Implement ${unitId}.`,
  allowed_directories: [`src/${unitId}`],
  command: ['agent', '{prompt_file}'],
  ...extra,
});

export const validateObject = (
  plan: Record<string, unknown>,
  options: Parameters<typeof validatePlanText>[1] = {},
) => validatePlanText(JSON.stringify(plan), { fileName: 'plans/demo.json', ...options });

export function failure(result: PlanValidation) {
  if (result.ok) throw new Error('expected the plan to be refused');
  return result;
}

export function accepted(result: PlanValidation) {
  if (!result.ok) throw new Error(`expected the plan to be accepted, got: ${result.message}`);
  return result;
}
