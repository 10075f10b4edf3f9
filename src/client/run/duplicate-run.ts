/**
 * A start refused because the workflow id is taken (SPEC §5: starting an id that is already running
 * is refused, never duplicated). The message depends on whether that run still goes on: a running
 * one can only be watched; a finished one may be started again, explicitly, with `--allow-rerun`.
 */
import type { Client } from '@temporalio/client';
import { UsageError } from '../errors';

/** The refusal for `workflowId`, after asking the server how that run stands. */
export async function duplicateRunError(client: Client, workflowId: string): Promise<UsageError> {
  const status = await client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      (description) => description.status.name,
      () => undefined,
    );
  if (status === undefined || status === 'RUNNING') {
    return new UsageError(
      `run '${workflowId}' is already running; it was not started again. Watch it with ` +
        `\`agent-fanout watch ${workflowId}\`, or choose another --id`,
    );
  }
  return new UsageError(
    `run '${workflowId}' already exists and has ended (${status.toLowerCase()}); start it again with ` +
      `--allow-rerun, or choose another --id`,
  );
}
