/**
 * Who polls a run's task queue. Queries, updates and a run's progress need a worker: without one
 * they wait until the server gives up, so commands ask first and say what to start instead.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { ResolvedConnection } from './connection-options';
import type { CommandIo } from '../io';

type QueueKind = 'workflow' | 'activity';

/** True when some worker polls `taskQueue` (for `kind` tasks); undefined when the server would not say. */
export async function workerPolls(
  client: Client,
  taskQueue: string,
  kind: QueueKind = 'workflow',
): Promise<boolean | undefined> {
  const { TaskQueueType, TaskQueueKind } = temporal.api.enums.v1;
  try {
    const answer = await client.workflowService.describeTaskQueue({
      namespace: client.options.namespace,
      taskQueue: { name: taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType:
        kind === 'workflow' ? TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW : TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    return (answer.pollers ?? []).length > 0;
  } catch {
    return undefined;
  }
}

/** The command that serves `taskQueue`, for messages. */
export function startWorkerHint(taskQueue: string): string {
  return `start one on the host that holds the checkout: agent-fanout worker --task-queue ${taskQueue}`;
}

/** Warns when no worker polls the run's task queue: the run would wait forever without saying why. */
export async function warnWithoutWorkers(
  client: Client,
  connection: ResolvedConnection,
  io: Pick<CommandIo, 'stderr'>,
): Promise<void> {
  // Describing the queue is a courtesy; the run itself does not depend on it.
  if ((await workerPolls(client, connection.taskQueue, 'activity')) !== false) return;
  io.stderr.write(
    `warning: no worker polls task queue '${connection.taskQueue}' yet; the run waits until one does. ` +
      `Start one on the host that holds the checkout: agent-fanout worker --task-queue ${connection.taskQueue}\n`,
  );
}
