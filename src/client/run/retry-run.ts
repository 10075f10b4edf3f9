/**
 * `retry`: a new run of the same plan and checkout, linked to the old run, that reuses the units
 * the old run finished with success (their evidence is checked again on the worker host) and runs
 * every other unit; dependencies on reused units count as satisfied (seed bug E2 fixed).
 */
import type { Client } from '@temporalio/client';
import { UsageError } from '../errors';
import type { FanoutHandle } from '../fanout-client';
import { awaitRecordedResult, startRun } from '../fanout-client';
import { findRun } from './find-run';
import { readRunInput } from './run-input';

export interface RetryOptions {
  readonly workflowId: string;
  /** Defaults to the old run's task queue. */
  readonly taskQueue?: string;
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
  const recorded = await awaitRecordedResult(old);
  if (recorded.result_file !== undefined && recorded.result_sha256 !== undefined) {
    // A large result stays on the worker host: the new run reads the successes there, page by page.
    return startRun(client, {
      plan: input.plan,
      repo: input.repo,
      taskQueue: options.taskQueue ?? description.taskQueue,
      workflowId: options.workflowId,
      retryOf: {
        workflowId: oldWorkflowId,
        resultFile: { path: recorded.result_file, sha256: recorded.result_sha256 },
      },
    });
  }
  const result = recorded;
  const succeeded = Object.fromEntries(
    Object.entries(result.units)
      .filter(([, unit]) => unit.status === 'SUCCEEDED')
      .map(([unitId, unit]) => [
        unitId,
        { artifacts: unit.artifacts, startedAt: unit.started_at, finishedAt: unit.finished_at },
      ]),
  );
  return startRun(client, {
    plan: input.plan,
    repo: input.repo,
    taskQueue: options.taskQueue ?? description.taskQueue,
    workflowId: options.workflowId,
    retryOf: { workflowId: oldWorkflowId, succeeded },
  });
}
