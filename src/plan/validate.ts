/**
 * The one entry point for a client: plan text in, a normalized plan (or the first failure) out.
 *
 * Order (SPEC §2, first failure wins): syntax; field rules of the file (zod, in document order);
 * field rules that need the whole plan; graph rules; same-workspace rules.
 */
import { checkFieldRules, type FieldRuleOptions } from './field-rules';
import { agentCommandOverrideIgnored, unknownTopLevelKeysIgnored } from './messages';
import { toPlan } from './normalize';
import { parsePlanText } from './parse';
import { describeIssue, reportFirstIssue } from './plan-issues';
import { checkGraphRules } from './graph-rules';
import { PLAN_KEYS, planSchema } from './schema';
import type { Plan } from './types';
import { checkWorkspaceRules } from './workspace-rules';

export interface ValidateOptions extends FieldRuleOptions {
  /** The plan file's name: picks JSON or YAML, names the file in messages, gives the default plan name. */
  readonly fileName?: string;
  /** `--agent-command` (SPEC §7.9), used as `agent.command` when the plan has none. */
  readonly agentCommand?: readonly string[];
}

/**
 * `syntax`: the text is not a plan at all. `field`: a field rule (SPEC §2.1) failed.
 * `rejected`: a graph or same-workspace rule (SPEC §2.2, §2.3) failed.
 * All three are preflight rejections: shown as `parallel preflight rejected plan: <message>`.
 */
export type ValidationFailureKind = 'syntax' | 'field' | 'rejected';

export type PlanValidation =
  | { readonly ok: true; readonly plan: Plan; readonly warnings: readonly string[] }
  | {
      readonly ok: false;
      readonly kind: ValidationFailureKind;
      readonly message: string;
      /** Where in the plan, e.g. `work_units[1].unit_id`, when the message may not say. */
      readonly location?: string;
    };

export function validatePlanText(text: string, options: ValidateOptions = {}): PlanValidation {
  const parsed = parsePlanText(text, options.fileName);
  return parsed.ok
    ? validatePlanValue(parsed.value, options)
    : { ok: false, kind: 'syntax', message: parsed.message };
}

/** The same checks for a plan already parsed from JSON or YAML. */
export function validatePlanValue(
  raw: Readonly<Record<string, unknown>>,
  options: ValidateOptions = {},
): PlanValidation {
  const result = planSchema.safeParse(raw, { error: describeIssue });
  if (!result.success) return { ok: false, kind: 'field', ...reportFirstIssue(result.error.issues, raw) };
  const plan = toPlan(result.data, {
    defaultName: baseName(options.fileName),
    agentCommand: options.agentCommand,
  });
  const fieldProblem = checkFieldRules(plan, options);
  if (fieldProblem !== undefined) return { ok: false, kind: 'field', message: fieldProblem };
  const rejection = checkGraphRules(plan.workUnits) ?? checkWorkspaceRules(plan);
  if (rejection !== undefined) return { ok: false, kind: 'rejected', message: rejection };
  return { ok: true, plan, warnings: warningsFor(raw, options) };
}

function warningsFor(raw: Readonly<Record<string, unknown>>, options: ValidateOptions): string[] {
  const unknownKeys = Object.keys(raw).filter((key) => !PLAN_KEYS.includes(key));
  const agent = raw['agent'];
  const planHasCommand = agent !== null && typeof agent === 'object' && 'command' in agent;
  return [
    ...(unknownKeys.length > 0 ? [unknownTopLevelKeysIgnored(unknownKeys)] : []),
    ...(options.agentCommand && planHasCommand ? [agentCommandOverrideIgnored()] : []),
  ];
}

/** `plans/api.plan.yaml` → `api.plan`; without a file name, `plan`. */
export function baseName(fileName: string | undefined): string {
  const base = (fileName ?? '').split(/[\\/]/).pop() ?? '';
  const withoutExtension = base.replace(/\.[^.]*$/, '');
  return withoutExtension || base || 'plan';
}
