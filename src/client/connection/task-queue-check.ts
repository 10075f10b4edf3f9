/** Warns when no worker polls the run's task queue: the run would wait forever without saying why. */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { ResolvedConnection } from './connection-options';
import type { CommandIo } from '../io';

export async function warnWithoutWorkers(
  client: Client,
  connection: ResolvedConnection,
  io: Pick<CommandIo, 'stderr'>,
): Promise<void> {
  try {
    const answer = await client.workflowService.describeTaskQueue({
      namespace: connection.namespace,
      taskQueue: {
        name: connection.taskQueue,
        kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL,
      },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    if ((answer.pollers ?? []).length === 0) {
      io.stderr.write(
        `warning: no worker polls task queue '${connection.taskQueue}' yet; the run waits until one does. ` +
          `Start one on the host that holds the checkout: agent-fanout worker --task-queue ${connection.taskQueue}\n`,
      );
    }
  } catch {
    // Describing the queue is a courtesy; the run itself does not depend on it.
  }
}
