/**
 * The remote mode of the git scenario runner (issue 17 "Done when": the git scenarios pass with
 * two workers). R is cloned bare as the remote; the run gets `--remote` and no `--repo`, from a
 * directory with no checkout; the checks of scenario-git.ts are read from the remote instead of R:
 * a commit, a unit ref and an evidence ref per SUCCEEDED unit, the integration on its branch, and
 * no working tree left in any host's work directory.
 */
import { mkdirSync } from 'node:fs';
import { evidenceRef } from '../../src/contracts/hosts';
import type { GitRunResult } from '../../src/contracts/git';
import { commitExists, gitIn, refTarget, workingTreesLeft } from './git-repo';
import type { GitScenarioResult } from './scenario-git';

/** The hosts a remote scenario runs on: their work directories (`--workdir`). */
export interface ScenarioHosts {
  readonly workdirs: readonly string[];
}

export interface ScenarioRemote {
  /** The bare clone of R. */
  readonly remote: string;
  /** An empty directory to run the client in. */
  readonly client: string;
}

/** Clones R bare beside it and makes an empty client directory. */
export function scenarioRemote(repo: string): ScenarioRemote {
  const remote = `${repo}-remote.git`;
  gitIn(repo, ['clone', '--quiet', '--bare', repo, remote]);
  const client = `${repo}-client`;
  mkdirSync(client);
  return { remote, client };
}

function unitProblems(remote: string, result: GitScenarioResult, git: GitRunResult): string[] {
  const problems: string[] = [];
  const id = result.workflow_id ?? '?';
  for (const [unitId, unit] of Object.entries(result.units ?? {})) {
    const commit = unit.commit as string | undefined;
    if (unit.status !== 'SUCCEEDED') {
      if (commit !== undefined)
        problems.push(`unit ${unitId} is ${String(unit.status)} but has commit ${commit}`);
      continue;
    }
    if (!commitExists(remote, commit))
      problems.push(`unit ${unitId}: commit ${String(commit)} is not on the remote`);
    if (git.units[unitId] !== commit)
      problems.push(
        `unit ${unitId}: commit ${String(commit)} but git.units says ${String(git.units[unitId])}`,
      );
    const unitRef = refTarget(remote, `refs/fanout/${id}/units/${unitId}`);
    if (unitRef !== commit) problems.push(`unit ${unitId}: its ref on the remote is ${String(unitRef)}`);
    if (refTarget(remote, evidenceRef(id, unitId)) === undefined)
      problems.push(`unit ${unitId}: no evidence ref on the remote`);
  }
  return problems;
}

/** Every problem with what a remote git-mode run left on the remote and the hosts (empty: fine). */
export function checkRemoteScenario(
  remote: string,
  base: string,
  result: GitScenarioResult | undefined,
  hosts: ScenarioHosts,
): string[] {
  const git = result?.git;
  if (git === undefined) return ['the result has no git section'];
  const problems: string[] = [];
  if (git.base !== base) problems.push(`git.base ${git.base}, expected the remote's HEAD ${base}`);
  if (!commitExists(remote, git.integration))
    problems.push(`integration commit ${git.integration} is not on the remote`);
  const branchTip = refTarget(remote, `refs/heads/${git.branch}`);
  if (branchTip !== git.integration)
    problems.push(`branch ${git.branch} on the remote is ${String(branchTip)}, not ${git.integration}`);
  problems.push(...unitProblems(remote, result ?? {}, git));
  for (const workdir of hosts.workdirs) {
    const left = workingTreesLeft(workdir);
    if (left.length > 0) problems.push(`working trees left: ${left.join(', ')}`);
  }
  return problems;
}
