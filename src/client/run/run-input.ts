/**
 * A run's input (its plan and the checkout it works in), read back from the first event of its
 * history, where Temporal keeps it for as long as it keeps the run. `watch` needs it for the
 * summary path, `logs` for where a unit's log files are.
 */
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { FanoutInput } from '../../contracts/run-types';
import { UsageError } from '../errors';

export async function readRunInput(client: Client, workflowId: string, runId?: string): Promise<FanoutInput> {
  const response = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId, ...(runId !== undefined ? { runId } : {}) },
    maximumPageSize: 1,
  });
  const payloads = response.history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
  if (payloads === null || payloads === undefined || payloads.length === 0) {
    throw new UsageError(`'${workflowId}' is not an agent-fanout run (it was started without input)`);
  }
  const converter = client.options.loadedDataConverter;
  let decoded = payloads as Payload[];
  for (const codec of [...converter.payloadCodecs].reverse()) decoded = await codec.decode(decoded);
  const input: unknown = converter.payloadConverter.fromPayload(decoded[0] as Payload);
  if (!isFanoutInput(input)) {
    throw new UsageError(
      `'${workflowId}' is not an agent-fanout run (its input has no plan); check the id with \`agent-fanout status\``,
    );
  }
  return input;
}

function isFanoutInput(value: unknown): value is FanoutInput {
  const input = value as Partial<FanoutInput> | null;
  return (
    typeof input === 'object' &&
    input !== null &&
    typeof input.repo === 'string' &&
    typeof input.plan === 'object' &&
    Array.isArray(input.plan?.workUnits)
  );
}
