/** The end of a git run (SPEC §9 "End"): its branch at the integration, `--into` when it succeeded. */
import { workflowInfo } from '@temporalio/workflow';
import type { GitRunResult } from '../contracts/git';
import type { RunStatus } from '../plan/types';
import type { ExecutionEnd } from './execution-end';
import { gitActivities } from './git-integration';

/** Points the run's branch (and `--into`) at the integration; the result's `git`. Undefined in a shared run. */
export async function finishGit(end: ExecutionEnd, status: RunStatus): Promise<GitRunResult | undefined> {
  const { input, state, integration } = end;
  const git = input.git;
  if (git === undefined || integration === undefined) return undefined;
  const into = status === 'succeeded' ? git.into : undefined;
  const answer = await gitActivities.finishGitRun({
    repo: input.repo,
    runId: workflowInfo().workflowId,
    base: git.base,
    integration: integration.integration,
    branch: git.branch,
    ...(into === undefined ? {} : { into }),
    identity: git.identity,
  });
  const units: Record<string, string> = {};
  for (const unit of input.plan.workUnits) {
    const commit = state.view(unit.unitId).commit;
    if (state.status(unit.unitId) === 'SUCCEEDED' && commit !== undefined) units[unit.unitId] = commit;
  }
  return {
    base: git.base,
    integration: integration.integration,
    branch: answer.branch,
    units,
    ...(answer.into === undefined ? {} : { into: answer.into }),
  };
}
