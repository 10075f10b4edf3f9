/** Replays recorded workflow histories against the current workflow code to catch non-determinism. */
import type { Client } from '@temporalio/client';
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
