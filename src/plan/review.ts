/**
 * Every preflight problem of a plan file in one pass (SPEC §2: `validate` "goes on and reports
 * every problem it can find, the first one first, each with its line and column"). The first
 * problem is the one a run records; `validate.ts` gives just that one.
 *
 * Order: syntax; field rules of the file (zod, in document order, with misspelt top-level
 * keys); field rules that need the whole plan; graph rules; same-workspace rules. Where field
 * problems leave parts of the plan unreadable, the later rules run on the rest (`salvage.ts`).
 */
import { collectFieldProblems, type FieldRuleOptions } from './field-rules';
import { collectGraphProblems } from './graph-rules';
import { agentCommandOverrideIgnored, misspeltTopLevelKey, unknownTopLevelKeysIgnored } from './messages';
import { toPlan } from './normalize';
import { parsePlanText, type TextPosition } from './parse';
import { describeIssue, issueProblems, sortInDocumentOrder } from './plan-issues';
import { positionFinder } from './positions';
import type { PlanPath, RuleProblem } from './rule-problem';
import { salvagePlan, type SalvagedPlan } from './salvage';
import { PLAN_KEYS, planSchema } from './schema';
import { closestName, didYouMean } from './suggest';
import type { Plan } from './types';
import { collectWorkspaceProblems } from './workspace-rules';
import { collectWritableProblems } from './writable-rules';

export interface ReviewOptions extends FieldRuleOptions {
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

export interface PlanProblem extends RuleProblem {
  readonly kind: ValidationFailureKind;
  /** Where in the plan text, counted from 1, when it can be told. */
  readonly position?: TextPosition;
}

export type PlanReview =
  | { readonly ok: true; readonly plan: Plan; readonly warnings: readonly string[] }
  | {
      readonly ok: false;
      /** At least one; the first is what a run records. */
      readonly problems: readonly PlanProblem[];
      readonly warnings: readonly string[];
      /** What could not be checked because of the problems, one line each. */
      readonly notes: readonly string[];
    };

export function reviewPlanText(text: string, options: ReviewOptions = {}): PlanReview {
  const parsed = parsePlanText(text, options.fileName);
  if (!parsed.ok) {
    const problem = { kind: 'syntax' as const, message: parsed.message, path: [] };
    return {
      ok: false,
      problems: [parsed.position ? { ...problem, position: parsed.position } : problem],
      warnings: [],
      notes: [],
    };
  }
  const review = reviewPlanValue(parsed.value, options);
  if (review.ok) return review;
  const find = positionFinder(text.startsWith('\uFEFF') ? text.slice(1) : text);
  const problems = review.problems.map((problem) => {
    const position = find(problem.path, problem.atKey);
    return position ? { ...problem, position } : problem;
  });
  return { ...review, problems };
}

/** The same review for a plan already parsed from JSON or YAML (no positions). */
export function reviewPlanValue(
  raw: Readonly<Record<string, unknown>>,
  options: ReviewOptions = {},
): PlanReview {
  const normalizeOptions = { defaultName: baseName(options.fileName), agentCommand: options.agentCommand };
  const result = planSchema.safeParse(raw, { error: describeIssue });
  const warnings = warningsFor(raw, options);
  const fileProblems = byTopLevelKey(
    [...(result.success ? [] : issueProblems(result.error.issues, raw)), ...misspeltTopLevelKeys(raw)],
    raw,
  ).map(as('field'));
  if (result.success && fileProblems.length === 0) {
    const plan = toPlan(result.data, normalizeOptions);
    const problems = ruleProblems(wholePlan(plan), options);
    return problems.length === 0
      ? { ok: true, plan, warnings }
      : { ok: false, problems, warnings, notes: [] };
  }
  const salvaged = result.success
    ? wholePlan(toPlan(result.data, normalizeOptions))
    : salvagePlan(raw, result.error.issues, normalizeOptions);
  const later = salvaged.plan === undefined ? [] : ruleProblems(salvaged, options);
  return { ok: false, problems: [...fileProblems, ...later], warnings, notes: salvaged.notes };
}

function wholePlan(plan: Plan): SalvagedPlan {
  return {
    plan,
    unitIndices: plan.workUnits.map((_, index) => index),
    withoutEditAreas: new Set(),
    otherUnitIds: new Set(),
    checkOverlap: true,
    notes: [],
  };
}

/** SPEC §2.1 (whole-plan rules), §2.2 and §2.3, with unit indices as in the plan file. */
function ruleProblems(salvaged: SalvagedPlan, options: FieldRuleOptions): PlanProblem[] {
  const { plan, unitIndices, withoutEditAreas } = salvaged;
  const withEditAreas = plan.workUnits.flatMap((unit, index) =>
    withoutEditAreas.has(index) ? [] : [{ unit, index }],
  );
  const workspacePlan: Plan = {
    ...plan,
    overlap: salvaged.checkOverlap ? plan.overlap : 'serialize',
    workUnits: withEditAreas.map(({ unit }) => unit),
  };
  const inFile = (indices: readonly number[]) => (problem: RuleProblem) => ({
    ...problem,
    path: fileUnitPath(problem.path, indices),
  });
  return [
    ...collectFieldProblems(plan, options).map(inFile(unitIndices)).map(as('field')),
    ...collectGraphProblems(plan.workUnits, { otherUnitIds: salvaged.otherUnitIds })
      .map(inFile(unitIndices))
      .map(as('rejected')),
    ...collectWorkspaceProblems(workspacePlan)
      .map(inFile(withEditAreas.map(({ index }) => unitIndices[index] ?? index)))
      .map(as('rejected')),
    ...collectWritableProblems(plan).map(as('rejected')),
  ];
}

/** Merges in document order by top-level key, keeping the order of problems under one key. */
function byTopLevelKey(problems: readonly RuleProblem[], raw: unknown): RuleProblem[] {
  const sorted = sortInDocumentOrder(
    problems.map((problem) => ({ problem, path: problem.path.slice(0, 1) })),
    raw,
  );
  return sorted.map(({ problem }) => problem);
}

const as =
  (kind: ValidationFailureKind) =>
  (problem: RuleProblem): PlanProblem => ({ ...problem, kind });

function fileUnitPath(path: PlanPath, indices: readonly number[]): PlanPath {
  const [top, index, ...rest] = path;
  if (top !== 'work_units' || typeof index !== 'number') return path;
  return [top, indices[index] ?? index, ...rest];
}

/** A top-level key one typo from a known one is refused rather than ignored (SPEC §1). */
function misspeltTopLevelKeys(raw: Readonly<Record<string, unknown>>): RuleProblem[] {
  return Object.keys(raw).flatMap((key) => {
    const known = PLAN_KEYS.includes(key) ? undefined : closestName(key, PLAN_KEYS);
    return known === undefined
      ? []
      : [{ message: misspeltTopLevelKey(key, known), path: [key], atKey: true, hints: [didYouMean(known)] }];
  });
}

function warningsFor(raw: Readonly<Record<string, unknown>>, options: ReviewOptions): string[] {
  const ignored = Object.keys(raw).filter(
    (key) => !PLAN_KEYS.includes(key) && closestName(key, PLAN_KEYS) === undefined,
  );
  const agent = raw['agent'];
  const planHasCommand = agent !== null && typeof agent === 'object' && 'command' in agent;
  return [
    ...(ignored.length > 0 ? [unknownTopLevelKeysIgnored(ignored)] : []),
    ...(options.agentCommand && planHasCommand ? [agentCommandOverrideIgnored()] : []),
  ];
}

/** `plans/api.plan.yaml` → `api.plan`; without a file name, `plan`. */
export function baseName(fileName: string | undefined): string {
  const base = (fileName ?? '').split(/[\\/]/).pop() ?? '';
  const withoutExtension = base.replace(/\.[^.]*$/, '');
  return withoutExtension || base || 'plan';
}
