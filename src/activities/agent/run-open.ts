/**
 * Whether the workflow run an attempt belongs to is still open, asked of the server when a
 * heartbeat said the attempt is unknown to it (SPEC §8.3): a closed run (terminated, reset, timed
 * out, completed) never retries the attempt, so nothing would ever adopt an agent left running.
 */

import { Context } from '@temporalio/activity';
import { WorkflowNotFoundError } from '@temporalio/common';
import { setTimeout as delay } from 'node:timers/promises';

export interface RunExecution {
  readonly workflowId: string;
  readonly runId: string;
}

/** True: open; false: closed or gone; undefined: the server could not tell (unreachable, slow). */
export type RunOpenProbe = (execution: RunExecution) => Promise<boolean | undefined>;

/** How long the probe waits for the server; the SDK's client over a worker connection takes no abort signal. */
export const RUN_OPEN_TIMEOUT_MS = 10_000;

/** The real probe: a `describe` through the client of the worker that runs this activity. */
export const isRunOpenOnServer: RunOpenProbe = async ({ workflowId, runId }) => {
  let describing: Promise<boolean | undefined>;
  try {
    describing = Context.current()
      .client.workflow.getHandle(workflowId, runId)
      .describe()
      .then(
        (description) => openness(description.status.name),
        (error: unknown) => (error instanceof WorkflowNotFoundError ? false : undefined),
      );
  } catch {
    return undefined; // no client here (an activity run outside a worker)
  }
  const timer = new AbortController();
  const timedOut = delay(RUN_OPEN_TIMEOUT_MS, undefined, { signal: timer.signal, ref: false }).catch(
    () => undefined,
  );
  try {
    return await Promise.race([describing, timedOut]);
  } finally {
    timer.abort();
  }
};

function openness(status: string): boolean | undefined {
  if (status === 'RUNNING' || status === 'PAUSED') return true;
  if (status === 'UNSPECIFIED' || status === 'UNKNOWN') return undefined;
  return false;
}
