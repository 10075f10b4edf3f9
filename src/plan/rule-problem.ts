/**
 * One broken preflight rule (SPEC §2) and where in the plan it is. `validate` reports them all;
 * a run records only the first one's message (SPEC §2.4).
 */

/** Keys and list indices from the plan's root, e.g. `['work_units', 2, 'dependencies', 0]`. */
export type PlanPath = readonly (string | number)[];

export interface RuleProblem {
  /** The exact text (SPEC §2 and §7.8 where they fix it): what a run records. */
  readonly message: string;
  readonly path: PlanPath;
  /** Further lines for a person: a suggestion, the allowed keys, a cycle's path. */
  readonly hints?: readonly string[];
  /** True when the problem is about the key at `path` itself (an unknown key), not its value. */
  readonly atKey?: boolean;
}

/** The first problem's message: "the first failure wins" (SPEC §2). */
export const firstMessage = (problems: readonly RuleProblem[]): string | undefined => problems[0]?.message;

export const unitPath = (index: number, ...rest: PlanPath): PlanPath => ['work_units', index, ...rest];
