/**
 * The one entry point for a client that needs a yes or no: plan text in, a normalized plan (or
 * the first failure) out. SPEC §2: the first failure is the one a run records. `review.ts`
 * finds all of them, for `validate`.
 */
import { reviewPlanText, reviewPlanValue, type PlanReview, type ReviewOptions } from './review';
import { formatPath } from './plan-issues';
import type { Plan } from './types';

export { baseName, type ValidationFailureKind } from './review';
import type { ValidationFailureKind } from './review';

export type ValidateOptions = ReviewOptions;

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
  return firstFailure(reviewPlanText(text, options));
}

/** The same checks for a plan already parsed from JSON or YAML. */
export function validatePlanValue(
  raw: Readonly<Record<string, unknown>>,
  options: ValidateOptions = {},
): PlanValidation {
  return firstFailure(reviewPlanValue(raw, options));
}

function firstFailure(review: PlanReview): PlanValidation {
  if (review.ok) return review;
  const [first] = review.problems;
  if (first === undefined) throw new Error('a refused plan has at least one problem');
  const located = first.kind === 'field' && first.path.length > 0;
  return {
    ok: false,
    kind: first.kind,
    message: first.message,
    ...(located ? { location: formatPath(first.path) } : {}),
  };
}
