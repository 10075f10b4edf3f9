/** The end of a git run (SPEC §9 "End"): its branch at the integration, `--into` when it succeeded. */
import { ActivityFailure, workflowInfo } from '@temporalio/workflow';
import { integrationRef, type FinishGitAnswer, type GitRunResult } from '../contracts/git';
import type { FanoutInput } from '../contracts/run-types';
import type { RunStatus } from '../plan/types';
import { gitActivities, type GitIntegration } from './git-integration';
import type { RunState } from './run-state';

/** What the end of a git run reads of the execution (a part of `ExecutionEnd`). */
export interface GitRunEnd {
  readonly input: FanoutInput;
  readonly state: RunState;
  readonly integration?: GitIntegration;
}

/** Points the run's branch (and `--into`) at the integration; the result's `git`. Undefined in a shared run. */
export async function finishGit(end: GitRunEnd, status: RunStatus): Promise<GitRunResult | undefined> {
  const { input, state, integration } = end;
  const git = input.git;
  if (git === undefined || integration === undefined) return undefined;
  const into = status === 'succeeded' ? git.into : undefined;
  const runId = workflowInfo().workflowId;
  const answer = await gitActivities
    .finishGitRun({
      repo: input.repo,
      ...(git.remote === undefined ? {} : { remote: git.remote }),
      runId,
      base: git.base,
      integration: integration.integration,
      branch: git.branch,
      ...(into === undefined ? {} : { into }),
      identity: git.identity,
    })
    .catch((error: unknown): FinishGitAnswer => {
      // The run's work is safe in its refs: say so, and still end the run with its result.
      if (!(error instanceof ActivityFailure)) throw error;
      const cause = error.cause?.message ?? error.message;
      state.reports.warnings.push(branchNotSet(git.branch, cause, integrationRef(runId)));
      return { branch: git.branch };
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

/** The result's warning when the run's branch could not be set (e.g. it exists at another commit). */
export function branchNotSet(branch: string, cause: string, ref: string): string {
  return `The run's branch '${branch}' was not set: ${cause}. Its integration is ${ref}; run \`git branch <name> ${ref}\` to name it.`;
}
