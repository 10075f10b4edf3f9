/**
 * Asking a run something only a worker can answer (the progress query, the cancel-unit update):
 * first whether any worker serves its task queue, then a bounded wait, so a command answers in
 * seconds with what to do instead of hanging until the server gives up and blames the address.
 */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { startWorkerHint, workerPolls } from '../connection/task-queue-check';
import { CommandFailed } from '../errors';
import { runStateName } from './find-run';

/** How long a worker that polls the queue may take to answer. */
export const ANSWER_WAIT_MS = 8000;

export interface RunToAsk {
  readonly client: Client;
  readonly workflowId: string;
  readonly description: WorkflowExecutionDescription;
}

/** Throws a one-line {@link CommandFailed} when no worker polls the run's task queue. */
export async function requireServingWorker(run: RunToAsk, purpose: string): Promise<void> {
  const taskQueue = run.description.taskQueue;
  if ((await workerPolls(run.client, taskQueue)) !== false) return;
  const state = runStateName(run.description);
  const ended = state === 'running' ? 'is running' : `has ended (${state})`;
  throw new CommandFailed(
    `run '${run.workflowId}' ${ended}, but no worker polls its task queue '${taskQueue}', and only a worker can ${purpose}; ` +
      startWorkerHint(taskQueue) +
      (state === 'running' ? '' : ` (or see how it ended: agent-fanout watch ${run.workflowId})`),
  );
}

/** The answer, or a one-line {@link CommandFailed} when the worker does not give it in time. */
export async function answerInTime<T>(run: RunToAsk, question: Promise<T>, purpose: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new CommandFailed(
          `run '${run.workflowId}' did not ${purpose} within ${ANSWER_WAIT_MS / 1000} s: a worker polls task queue ` +
            `'${run.description.taskQueue}' but did not answer (it may be busy, stopping or gone); try again, or read that worker's log`,
        ),
      );
    }, ANSWER_WAIT_MS);
  });
  try {
    return await Promise.race([question, late]);
  } finally {
    clearTimeout(timer);
  }
}
