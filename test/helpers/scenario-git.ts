/**
 * The git mode of the scenario runner (issue 15: "at least ten of them also run in git mode with
 * the same events and statuses"). R becomes a git repository with the setup committed; the run
 * gets `--workspace git`. The scenario's `files` and `pids_dead` name paths inside R that the
 * agents wrote in their own working trees, so they do not apply; instead the run must leave a
 * commit per SUCCEEDED unit, an integration commit and its branch, a source checkout whose
 * status shows nothing but `.agent/`, the evidence copies, and no working tree behind.
 */
import path from 'node:path';
import type { GitRunResult } from '../../src/contracts/git';
import { commitExists, refTarget, statusLines, workingTreesLeft } from './git-repo';
import { exists } from './scenario-files';

/**
 * How these were chosen: every agent writes only inside its namespace (or nothing at all), so
 * the run is the same with a working tree per unit; none reads or writes a path in R that the
 * runner checks afterwards (40, 41, 42, 43, 44 keep counts, marks, pids or cwd markers in R, and
 * would rightly fail the §9 area check), none expects `{repo}` inside an error text (30, 48 name
 * the artifact directory, which lives in the working tree in git mode), none relies on a setup
 * file under `.agent/` (31). They cover launch order, chains, a diamond, the cap, re-planning,
 * exit texts, signal deaths and a missing binary, blocking, skipping, cancel, drain, continue,
 * overlap serialize (the second unit starts from the first's output) and a YAML plan.
 */
export const GIT_SCENARIOS = [
  '02-single-unit-namespace.json',
  '03-independent-sorted-launch.json',
  '05-chain.json',
  '06-diamond.json',
  '07-wide-cap-refill.json',
  '10-slot-tie-by-id.json',
  '13-no-overlap-cases.json',
  '28-exit-texts.json',
  '29-exit-codes.json',
  '32-chain-fail-head.json',
  '34-diamond-fail-cancel-block.json',
  '37-drain.json',
  '38-continue.json',
  '39-overlap-serialize.json',
  '45-yaml-plan.json',
];

export interface GitScenarioResult {
  readonly workflow_id?: string;
  readonly units?: Record<string, Record<string, unknown>>;
  readonly git?: GitRunResult;
}

function unitProblems(repo: string, result: GitScenarioResult, git: GitRunResult): string[] {
  const problems: string[] = [];
  for (const [unitId, unit] of Object.entries(result.units ?? {})) {
    const commit = unit.commit as string | undefined;
    if (unit.status !== 'SUCCEEDED') {
      if (commit !== undefined)
        problems.push(`unit ${unitId} is ${String(unit.status)} but has commit ${commit}`);
      continue;
    }
    if (!commitExists(repo, commit)) problems.push(`unit ${unitId}: commit ${String(commit)} does not exist`);
    if (git.units[unitId] !== commit)
      problems.push(
        `unit ${unitId}: commit ${String(commit)} but git.units says ${String(git.units[unitId])}`,
      );
    const evidence = path.join(repo, '.agent', 'runs', result.workflow_id ?? '?', unitId);
    if (!exists(evidence)) problems.push(`no evidence copy at ${evidence}`);
  }
  return problems;
}

/** Every problem with what a git-mode run left in `repo` (empty: as it should be). */
export function checkGitScenario(
  repo: string,
  base: string,
  result: GitScenarioResult | undefined,
  worktreeRoot: string,
): string[] {
  const git = result?.git;
  if (git === undefined) return ['the result has no git section'];
  const problems: string[] = [];
  if (git.base !== base) problems.push(`git.base ${git.base}, expected HEAD ${base}`);
  if (!commitExists(repo, git.integration))
    problems.push(`integration commit ${git.integration} does not exist`);
  const branchTip = refTarget(repo, `refs/heads/${git.branch}`);
  if (branchTip !== git.integration)
    problems.push(
      `branch ${git.branch} points at ${String(branchTip)}, not at the integration ${git.integration}`,
    );
  problems.push(...unitProblems(repo, result ?? {}, git));
  const status = statusLines(repo).filter((line) => line !== '?? .agent/');
  if (status.length > 0) problems.push(`source checkout changed outside .agent/: ${status.join('; ')}`);
  // Namespaces live in the working trees; the checkout gets only the evidence copies and the summary.
  if (exists(path.join(repo, '.agent', 'workers'))) problems.push('the source checkout has .agent/workers');
  const left = workingTreesLeft(worktreeRoot);
  if (left.length > 0) problems.push(`working trees left: ${left.join(', ')}`);
  return problems;
}
