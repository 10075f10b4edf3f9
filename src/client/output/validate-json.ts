/**
 * `agent-fanout validate --json`: the verdict as data on stdout, for editors and CI.
 *
 *     { "valid": false, "problems": [{ "message", "hints", "kind", "path", "line", "column" }],
 *       "notes": [], "warnings": [] }
 *     { "valid": true, "problems": [], "notes": [], "warnings": [], "summary": { … } }
 *
 * `message` is the exact text (the first one is what a run records), `line` and `column` count
 * from 1 (null when unknown), `path` is like `work_units[2].dependencies[0]`.
 */
import { criticalPath, dependencyCount, predictWaves } from '../../plan/graph';
import { predictedStartingInputs } from '../../plan/starting-inputs';
import type { Plan } from '../../plan/types';
import type { PlanRejected } from '../errors';
import { problemAsData } from './plan-problems';

export function acceptedPlanData(plan: Plan, warnings: readonly string[], maxWorkers?: number) {
  const workers = maxWorkers ?? plan.maxWorkers;
  return {
    valid: true,
    problems: [],
    notes: [],
    warnings,
    summary: {
      name: plan.name,
      units: plan.workUnits.length,
      dependencies: dependencyCount(plan),
      max_workers: workers,
      on_failure: plan.onFailure,
      overlap: plan.overlap,
      critical_path: criticalPath(plan),
      predicted_waves: predictWaves(plan, workers),
      // A git plan (SPEC §9): what each unit's starting point is predicted to merge with the base.
      ...(plan.workspace === 'git'
        ? { workspace: 'git', starting_points: predictedStartingInputs({ ...plan, maxWorkers: workers }) }
        : {}),
    },
  };
}

export function rejectedPlanData(error: PlanRejected) {
  const report = error.details?.report;
  const problems = report
    ? report.problems.map(problemAsData)
    : [
        {
          message: error.reason,
          hints: [],
          kind: error.kind,
          path: error.location ?? null,
          line: null,
          column: null,
        },
      ];
  return { valid: false, problems, notes: report?.notes ?? [], warnings: report?.warnings ?? [] };
}
