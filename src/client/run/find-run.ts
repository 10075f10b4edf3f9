/** Looks a run up by workflow id; an unknown id is a usage error that says where to look. */
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { fanoutWorkflow } from '../../workflows/fanout-workflow';
import { UsageError } from '../errors';
import type { FanoutHandle } from '../fanout-client';

export async function findRun(client: Client, workflowId: string): Promise<FanoutHandle> {
  const handle = client.workflow.getHandle<typeof fanoutWorkflow>(workflowId);
  try {
    await handle.describe();
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      throw new UsageError(
        `no run '${workflowId}' in namespace '${client.options.namespace}'; check the id (run ids are printed by \`agent-fanout run\`) or pass --namespace/--address`,
      );
    }
    throw error;
  }
  return handle;
}
