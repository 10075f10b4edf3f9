/**
 * A run that cannot go on must not hang the bench: a workflow task the server keeps refusing
 * (e.g. a payload over the blob size limit, a history over its limits) is retried forever while
 * the run stays Running. The watchdog describes the run's latest execution every
 * {@link CHECK_MS} and gives up when its workflow task has failed {@link MAX_TASK_ATTEMPTS} times
 * in a row, or when nothing (run id, history length) moved for {@link STALL_MS}: it terminates the
 * run and rejects with what the last WorkflowTaskFailed event said.
 */
import type { Client } from '@temporalio/client';
import { existsSync } from 'node:fs';

const CHECK_MS = 15_000;
const MAX_TASK_ATTEMPTS = 5;
const STALL_MS = 5 * 60_000;

export interface Watchdog {
  /** Never resolves; rejects when the run is stuck. */
  readonly stuck: Promise<never>;
  stop(): void;
}

async function lastTaskFailure(client: Client, workflowId: string): Promise<string> {
  try {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const failed = [...(history.events ?? [])]
      .reverse()
      .find((event) => event.workflowTaskFailedEventAttributes);
    const attributes = failed?.workflowTaskFailedEventAttributes;
    if (attributes === undefined || attributes === null) return 'no WorkflowTaskFailed event';
    return `WorkflowTaskFailed cause ${String(attributes.cause)}: ${attributes.failure?.message ?? '(no message)'}`;
  } catch (error) {
    return `history unreadable: ${error instanceof Error ? error.message : String(error)}`;
  }
}

/** What the stuck run's pending activities were doing: their last heartbeat, and whether its agent lives. */
async function pendingActivities(client: Client, workflowId: string): Promise<string> {
  try {
    const { raw } = await client.workflow.getHandle(workflowId).describe();
    const pending = raw.pendingActivities ?? [];
    const converter = client.options.loadedDataConverter.payloadConverter;
    const lines = pending.slice(0, 8).map((activity) => {
      const payload = activity.heartbeatDetails?.payloads?.[0];
      const beat =
        payload === undefined ? undefined : converter.fromPayload<{ pid?: number | null }>(payload);
      const pid = beat?.pid ?? null;
      const alive =
        pid === null ? 'no pid' : existsSync(`/proc/${pid}`) ? `pid ${pid} alive` : `pid ${pid} gone`;
      const seconds = Number(activity.lastHeartbeatTime?.seconds ?? 0);
      const ago = seconds === 0 ? 'never' : `${Math.round(Date.now() / 1000 - seconds)} s ago`;
      return `activity ${activity.activityId} (attempt ${activity.attempt}, state ${String(activity.state)}, last heartbeat ${ago}, ${alive}): ${JSON.stringify(beat)}`;
    });
    return `${pending.length} pending activities${lines.length > 0 ? `:\n  ${lines.join('\n  ')}` : ''}`;
  } catch (error) {
    return `pending activities unreadable: ${error instanceof Error ? error.message : String(error)}`;
  }
}

export function watchRun(client: Client, workflowId: string): Watchdog {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let reject: (error: Error) => void = () => undefined;
  const stuck = new Promise<never>((_, rejectWith) => (reject = rejectWith));
  // Nobody may await `stuck` once the run ended; it must not count as unhandled.
  stuck.catch(() => undefined);
  let lastProgress = { key: '', at: Date.now() };

  const check = async (): Promise<void> => {
    const description = await client.workflow.getHandle(workflowId).describe();
    if (description.status.name !== 'RUNNING') return;
    const attempt = description.raw.pendingWorkflowTask?.attempt ?? 0;
    const key = `${description.runId}:${description.historyLength}`;
    if (key !== lastProgress.key) lastProgress = { key, at: Date.now() };
    const reason =
      attempt >= MAX_TASK_ATTEMPTS
        ? `its workflow task failed ${attempt} times in a row`
        : Date.now() - lastProgress.at >= STALL_MS
          ? `nothing moved for ${STALL_MS / 1000} s`
          : undefined;
    if (reason === undefined) return;
    const detail = `${await lastTaskFailure(client, workflowId)}; ${await pendingActivities(client, workflowId)}`;
    await client.workflow
      .getHandle(workflowId)
      .terminate(`bench: stuck (${reason})`)
      .catch(() => undefined);
    reject(new Error(`run ${workflowId} is stuck and was terminated: ${reason}; ${detail}`));
    stopped = true;
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      check().then(schedule, schedule);
    }, CHECK_MS);
  };
  schedule();
  return {
    stuck,
    stop: () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

/** `result`, unless the run gets stuck first (then it is terminated and this rejects). */
export async function untilDone<T>(client: Client, workflowId: string, result: Promise<T>): Promise<T> {
  const watchdog = watchRun(client, workflowId);
  try {
    return await Promise.race([result, watchdog.stuck]);
  } finally {
    watchdog.stop();
  }
}
