/**
 * Every preflight rule of SPEC §2 that a normalized plan can break, in SPEC order: field rules
 * (§2.1), graph rules (§2.2), same-workspace rules (§2.3), then `agent.writable` (§8.1). Free of zod and Node, so the workflow
 * re-checks any plan it receives with exactly the client's texts.
 */
import { checkFieldRules, type FieldRuleOptions } from './field-rules';
import { firstFailure } from './first-failure';
import { checkGraphRules } from './graph-rules';
import type { Plan } from './types';
import { checkWorkspaceRules } from './workspace-rules';
import { firstMessage } from './rule-problem';
import { collectWritableProblems } from './writable-rules';

/** The first failure, without the `parallel preflight rejected plan: ` prefix; undefined when the plan is accepted. */
export function checkPlanRules(plan: Plan, options: FieldRuleOptions = {}): string | undefined {
  return firstFailure([
    () => checkFieldRules(plan, options),
    () => checkGraphRules(plan.workUnits),
    () => checkWorkspaceRules(plan),
    () => firstMessage(collectWritableProblems(plan)),
  ]);
}
