/** Replays recorded workflow histories against the current workflow code to catch non-determinism. */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';

export interface ReplayOutcome {
  readonly workflowId: string;
  readonly error?: string;
}

export async function replayWorkflows(
  client: Client,
  workflowIds: readonly string[],
): Promise<ReplayOutcome[]> {
  const histories = await Promise.all(
    workflowIds.map(async (workflowId) => ({
      workflowId,
      history: await client.workflow.getHandle(workflowId).fetchHistory(),
    })),
  );
  return replayHistories(histories);
}

/** Replays the given histories in order; one outcome each, with the error message on non-determinism. */
export async function replayHistories(
  histories: readonly { workflowId: string; history: temporal.api.history.v1.IHistory }[],
): Promise<ReplayOutcome[]> {
  const outcomes: ReplayOutcome[] = [];
  for await (const replay of Worker.runReplayHistories(
    { workflowsPath: require.resolve('../../src/workflows') },
    histories,
  )) {
    outcomes.push(
      replay.error === undefined
        ? { workflowId: replay.workflowId }
        : { workflowId: replay.workflowId, error: replay.error.message },
    );
  }
  return outcomes;
}
