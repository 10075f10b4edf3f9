/**
 * A refused plan's problems as a person reads them (SPEC §2: every problem, the first one first,
 * each with its line and column). Each problem's first line is its exact text, the first one
 * with the rejection prefix a run records; below it, where it is and any suggestions:
 *
 *     parallel preflight rejected plan: Unknown dependency 'clinet' in work unit 'docs'
 *       at plan.yaml:16:20
 *       did you mean 'client'?
 */
import { formatPath } from '../../plan/plan-issues';
import { preflightRejected } from '../../plan/messages';
import type { PlanProblem } from '../../plan/review';

/** More than this many problems are counted, not shown: the first screens are what helps. */
const PROBLEMS_SHOWN = 50;

export interface ProblemReport {
  /** The plan path as given on the command line. */
  readonly file: string;
  readonly problems: readonly PlanProblem[];
  /** What could not be checked because of the problems. */
  readonly notes: readonly string[];
  readonly warnings: readonly string[];
}

export function formatProblemReport(report: ProblemReport): string {
  const { file, problems } = report;
  const shown = problems.slice(0, PROBLEMS_SHOWN);
  const blocks = shown.map((problem, index) =>
    [
      index === 0 ? preflightRejected(problem.message) : problem.message,
      ...whereLine(problem, file),
      ...(problem.hints ?? []).map((hint) => `  ${hint}`),
    ].join('\n'),
  );
  const closing = [
    ...(problems.length > shown.length
      ? [
          `… and ${problems.length - shown.length} more problems (agent-fanout validate --json lists them all)`,
        ]
      : []),
    ...report.notes.map((note) => `note: ${note}`),
    ...report.warnings.map((warning) => `warning: ${warning}`),
    ...(problems.length > 1
      ? [
          `${problems.length} problems in ${file}; a run records only the first. ` +
            `Fix them and check again with agent-fanout validate ${file}`,
        ]
      : []),
  ];
  // One problem reads as one message; several get a blank line between them.
  const separator = problems.length > 1 ? '\n\n' : '\n';
  return `${[...blocks, ...(closing.length > 0 ? [closing.join('\n')] : [])].join(separator)}\n`;
}

/** `  at plan.yaml:3:5`, with the field's path when the text does not name it. */
function whereLine(problem: PlanProblem, file: string): string[] {
  if (problem.kind === 'syntax') return []; // its text says the line and column already
  const path = problem.path.length > 0 ? formatPath(problem.path) : undefined;
  const field = path !== undefined && !namesField(problem.message, path) ? ` (${path})` : '';
  if (problem.position) return [`  at ${file}:${problem.position.line}:${problem.position.column}${field}`];
  return field === '' ? [] : [`  (at ${path})`];
}

/** True when the text already starts with the field (`max_workers must …`, `agent.timeout: …`). */
export function namesField(message: string, path: string): boolean {
  return message.startsWith(`${path}:`) || message.startsWith(`${path} `);
}

/** `plan.yaml:3:5` style data for `--json`: a problem with its place, its path as text. */
export function problemAsData(problem: PlanProblem) {
  return {
    message: problem.message,
    hints: problem.hints ?? [],
    kind: problem.kind,
    path: problem.path.length > 0 ? formatPath(problem.path) : null,
    line: problem.position?.line ?? null,
    column: problem.position?.column ?? null,
  };
}
