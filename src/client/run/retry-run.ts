/**
 * `retry`: a new run of the same checkout, linked to the old run, that reuses the units the old
 * run finished with success (their evidence is checked again on the worker host) and runs every
 * other unit; dependencies on reused units count as satisfied (seed bug E2 fixed). With an edited
 * plan, only units whose definition is unchanged may be reused (plan-changes.ts says what counts).
 */
import type { Client } from '@temporalio/client';
import type { Plan } from '../../plan/types';
import type { GitRunInput } from '../../contracts/git';
import type { FanoutInput, RetryOf } from '../../contracts/run-types';
import { gitForRetry, planInRunMode, refuseBranchWithoutGit } from '../git-mode/retry-git';
import { UsageError } from '../errors';
import type { FanoutHandle } from '../fanout-client';
import { awaitRecordedResult, startRun } from '../fanout-client';
import { startHoldingCheckout } from './checkout-hold';
import { findRun } from './find-run';
import { comparePlans, type PlanChanges } from './plan-changes';
import { readRunInput } from './run-input';

export interface RetryOptions {
  readonly workflowId: string;
  /** Defaults to the old run's task queue. */
  readonly taskQueue?: string;
  /** `--plan`: the edited plan to run instead of the stored one. */
  readonly plan?: Plan;
  /** Told which units of the edited plan run again, before the new run starts. */
  readonly onPlanChanges?: (changes: PlanChanges) => void;
  /** `--branch`: a git run's new branch, instead of one named after the new run. */
  readonly branch?: string;
  /** Told the one line about uncommitted changes a git run leaves out (SPEC §9). */
  readonly onGitNotice?: (line: string) => void;
}

export async function retryRun(
  client: Client,
  oldWorkflowId: string,
  options: RetryOptions,
): Promise<FanoutHandle> {
  const old = await findRun(client, oldWorkflowId);
  const description = await old.describe();
  if (description.status.name === 'RUNNING') {
    throw new UsageError(
      `run '${oldWorkflowId}' is still running; wait for it (\`agent-fanout watch ${oldWorkflowId}\`) or cancel it (\`agent-fanout cancel ${oldWorkflowId}\`) before retrying`,
    );
  }
  const input = await readRunInput(client, oldWorkflowId);
  const plan = planInRunMode(options.plan ?? input.plan, input.git, oldWorkflowId);
  const git = await retryGitSettings(input, plan, oldWorkflowId, options);
  const changes = options.plan === undefined ? undefined : comparePlans(input.plan, plan);
  if (changes !== undefined) options.onPlanChanges?.(changes);
  const rerun = changes === undefined ? {} : { rerun: [...changes.rerun] };
  const start = (retryOf: RetryOf): Promise<FanoutHandle> => {
    const begin = () =>
      startRun(client, {
        plan,
        repo: input.repo,
        taskQueue: options.taskQueue ?? description.taskQueue,
        workflowId: options.workflowId,
        retryOf,
        ...(git === undefined ? {} : { git }),
        // The old run's `--prefetch` holds for its retry, as its `max_workers` does.
        ...(input.prefetch === undefined ? {} : { prefetch: input.prefetch }),
      });
    // Git runs never write the checkout's files: no hold (SPEC §8.6, §9 "Several git runs").
    return git === undefined ? startHoldingCheckout(client, input.repo, options.workflowId, begin) : begin();
  };
  const recorded = await awaitRecordedResult(old);
  if (recorded.result_file !== undefined && recorded.result_sha256 !== undefined) {
    // A large result stays on the worker host: the new run reads the successes there, page by page.
    return start({
      workflowId: oldWorkflowId,
      resultFile: { path: recorded.result_file, sha256: recorded.result_sha256 },
      ...rerun,
    });
  }
  const succeeded = Object.fromEntries(
    Object.entries(recorded.units)
      .filter(([unitId, unit]) => unit.status === 'SUCCEEDED' && changes?.rerun.has(unitId) !== true)
      .map(([unitId, unit]) => [
        unitId,
        {
          artifacts: unit.artifacts,
          startedAt: unit.started_at,
          finishedAt: unit.finished_at,
          ...(unit.commit === undefined ? {} : { commit: unit.commit }),
        },
      ]),
  );
  return start({ workflowId: oldWorkflowId, succeeded });
}

/** A git run's settings for the retry (retry-git.ts); refuses `--branch` for a shared run. */
async function retryGitSettings(
  input: FanoutInput,
  plan: Plan,
  oldWorkflowId: string,
  options: RetryOptions,
): Promise<GitRunInput | undefined> {
  if (input.git === undefined) {
    refuseBranchWithoutGit(options.branch, oldWorkflowId);
    return undefined;
  }
  const settings = await gitForRetry(input.git, {
    oldWorkflowId,
    repo: input.repo,
    plan,
    workflowId: options.workflowId,
    ...(options.branch === undefined ? {} : { branch: options.branch }),
    now: new Date(),
  });
  if (settings.notice !== undefined) options.onGitNotice?.(settings.notice);
  return settings.git;
}
