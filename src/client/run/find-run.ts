/** Looks a run up by workflow id; an unknown id is a usage error that says where to look. */
import type { Client, WorkflowExecutionDescription } from '@temporalio/client';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { fanoutWorkflow } from '../../workflows/fanout-workflow';
import { UsageError } from '../errors';
import type { FanoutHandle } from '../fanout-client';
import { checkWorkflowId } from './ids';

export interface DescribedRun {
  readonly handle: FanoutHandle;
  readonly description: WorkflowExecutionDescription;
}

export async function findRun(client: Client, workflowId: string): Promise<FanoutHandle> {
  return (await describeRun(client, workflowId)).handle;
}

/** The run's handle and its description (status, task queue), as the server has them now. */
export async function describeRun(client: Client, workflowId: string): Promise<DescribedRun> {
  checkWorkflowId(workflowId, 'the run id');
  const handle = client.workflow.getHandle<typeof fanoutWorkflow>(workflowId);
  try {
    return { handle, description: await handle.describe() };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) throw noSuchRun(client, workflowId);
    throw error;
  }
}

export function noSuchRun(client: Client, workflowId: string): UsageError {
  return new UsageError(
    `no run '${workflowId}' in namespace '${client.options.namespace}'; check the id (run ids are printed by \`agent-fanout run\`) or pass --namespace/--address`,
  );
}

/** The run's state in lower case: `running`, `completed`, `failed`, `canceled`, `terminated`, … */
export function runStateName(description: WorkflowExecutionDescription): string {
  return description.status.name.toLowerCase();
}
