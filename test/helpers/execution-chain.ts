/** The executions of a run that continued as new, oldest first, with their histories. */
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

export interface Execution {
  readonly runId: string;
  readonly history: temporal.api.history.v1.IHistory;
}

/** Walks back from the latest execution through each first event's `continuedExecutionRunId`. */
export async function executionChain(client: Client, workflowId: string): Promise<Execution[]> {
  const chain: Execution[] = [];
  let runId: string | undefined;
  for (;;) {
    const handle = client.workflow.getHandle(workflowId, runId);
    const history = await handle.fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const ownRunId = runId ?? (await handle.describe()).runId;
    chain.unshift({ runId: ownRunId, history });
    const previous = started?.continuedExecutionRunId;
    if (previous === undefined || previous === null || previous === '') return chain;
    runId = previous;
  }
}
