/**
 * What a run's Temporal history says about the coordinator: how many events it took, how long
 * workflow tasks waited and ran, and when each unit's activity was scheduled, picked up and
 * completed (all by the server's event times).
 *
 * A run that continued as new is a chain of executions under one workflow id; `analyzeHistories`
 * reads them in order as one history: event ids are shifted by the events of the executions
 * before, so they keep growing along the chain, the start is the first execution's and the close
 * the last one's (a ContinuedAsNew event is not a close).
 */
import type { FanoutHandle } from '../client/fanout-client';

export type History = Awaited<ReturnType<FanoutHandle['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

/** A protobuf int64 (Long) or a plain number. */
type Int64 = number | { toNumber(): number } | null | undefined;

function int(value: Int64): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

function eventMs(event: HistoryEvent): number {
  const time = event.eventTime;
  if (time === null || time === undefined) return Number.NaN;
  return int(time.seconds) * 1000 + (time.nanos ?? 0) / 1e6;
}

/** One unit's attempt activity, by the server's clock (ms since the epoch). */
export interface ActivityTimes {
  readonly unitId: string;
  readonly attempt: number;
  readonly scheduledEventId: number;
  readonly scheduledMs: number;
  startedMs?: number;
  completedEventId?: number;
  completedMs?: number;
  /** ActivityTaskFailed. */
  failedMs?: number;
  /** ActivityTaskCancelRequested: the workflow asked to stop the attempt. */
  cancelRequestedMs?: number;
  /** ActivityTaskCanceled: the worker reported the attempt stopped. */
  canceledMs?: number;
}

/** One workflow task that completed. */
export interface WorkflowTaskTimes {
  readonly scheduledMs: number;
  readonly startedMs: number;
  readonly completedMs: number;
  readonly completedEventId: number;
}

export interface HistoryFacts {
  readonly eventCount: number;
  readonly workflowStartedMs: number;
  /** The close event's time; NaN when the history has none. */
  readonly workflowClosedMs: number;
  /** Completed workflow tasks in history order. */
  readonly workflowTasks: readonly WorkflowTaskTimes[];
  /** Workflow tasks that failed or timed out. */
  readonly workflowTaskProblems: number;
  /** `runAgentAttempt` activities in scheduling order. */
  readonly activities: readonly ActivityTimes[];
  /** Event counts by type, e.g. `ActivityTaskScheduled: 100`. */
  readonly eventTypes: Readonly<Record<string, number>>;
}

/** The unit id and attempt in an activity's input (the first payload, JSON). */
function attemptOf(event: HistoryEvent): { unitId: string; attempt: number } | undefined {
  const payload = event.activityTaskScheduledEventAttributes?.input?.payloads?.[0];
  const data = payload?.data;
  if (data === null || data === undefined) return undefined;
  try {
    const input = JSON.parse(Buffer.from(data).toString('utf8')) as {
      unit?: { unitId?: unknown };
      attempt?: unknown;
    };
    const unitId = input.unit?.unitId;
    return typeof unitId === 'string'
      ? { unitId, attempt: typeof input.attempt === 'number' ? input.attempt : 1 }
      : undefined;
  } catch {
    return undefined;
  }
}

/** `EVENT_TYPE_ACTIVITY_TASK_SCHEDULED` style names would need the enum; the attribute key says it too. */
function typeName(event: HistoryEvent): string {
  const key = Object.keys(event).find(
    (name) => name.endsWith('EventAttributes') && event[name as keyof HistoryEvent] != null,
  );
  if (key === undefined) return 'Unknown';
  const bare = key.slice(0, -'EventAttributes'.length);
  return bare.charAt(0).toUpperCase() + bare.slice(1);
}

export function analyzeHistory(history: History): HistoryFacts {
  return analyzeHistories([history]);
}

/** The executions of one chain, in order, read as one history (see the file comment). */
export function analyzeHistories(histories: readonly History[]): HistoryFacts {
  /** `offset`: the events of the executions before; `id`: the event id along the chain. */
  const events: { event: HistoryEvent; id: number; offset: number }[] = [];
  let shift = 0;
  for (const history of histories) {
    const own = history.events ?? [];
    for (const event of own) events.push({ event, id: shift + int(event.eventId), offset: shift });
    shift += own.length;
  }
  const wftScheduled = new Map<number, number>();
  const wftStarted = new Map<number, number>();
  const workflowTasks: WorkflowTaskTimes[] = [];
  const activities = new Map<number, ActivityTimes>();
  const eventTypes: Record<string, number> = {};
  let workflowStartedMs = Number.NaN;
  let workflowClosedMs = Number.NaN;
  let workflowTaskProblems = 0;

  for (const { event, id, offset } of events) {
    /** An event id of this execution, as an id along the chain. */
    const ref = (eventId: Int64): number => offset + int(eventId);
    const at = eventMs(event);
    const type = typeName(event);
    eventTypes[type] = (eventTypes[type] ?? 0) + 1;
    if (event.workflowExecutionStartedEventAttributes) {
      if (Number.isNaN(workflowStartedMs)) workflowStartedMs = at;
    } else if (event.workflowExecutionContinuedAsNewEventAttributes) continue;
    else if (
      event.workflowExecutionCompletedEventAttributes ||
      event.workflowExecutionFailedEventAttributes ||
      event.workflowExecutionCanceledEventAttributes ||
      event.workflowExecutionTerminatedEventAttributes ||
      event.workflowExecutionTimedOutEventAttributes
    )
      workflowClosedMs = at;
    else if (event.workflowTaskScheduledEventAttributes) wftScheduled.set(id, at);
    else if (event.workflowTaskStartedEventAttributes) {
      wftStarted.set(ref(event.workflowTaskStartedEventAttributes.scheduledEventId), at);
    } else if (event.workflowTaskCompletedEventAttributes) {
      const scheduledId = ref(event.workflowTaskCompletedEventAttributes.scheduledEventId);
      const scheduledMs = wftScheduled.get(scheduledId);
      const startedMs = wftStarted.get(scheduledId);
      if (scheduledMs !== undefined && startedMs !== undefined)
        workflowTasks.push({ scheduledMs, startedMs, completedMs: at, completedEventId: id });
    } else if (event.workflowTaskFailedEventAttributes || event.workflowTaskTimedOutEventAttributes) {
      workflowTaskProblems += 1;
    } else if (event.activityTaskScheduledEventAttributes) {
      if (event.activityTaskScheduledEventAttributes.activityType?.name !== 'runAgentAttempt') continue;
      const attempt = attemptOf(event);
      if (attempt !== undefined) activities.set(id, { ...attempt, scheduledEventId: id, scheduledMs: at });
    } else if (event.activityTaskStartedEventAttributes) {
      const activity = activities.get(ref(event.activityTaskStartedEventAttributes.scheduledEventId));
      if (activity !== undefined) activity.startedMs = at;
    } else if (event.activityTaskCompletedEventAttributes) {
      const activity = activities.get(ref(event.activityTaskCompletedEventAttributes.scheduledEventId));
      if (activity !== undefined) {
        activity.completedMs = at;
        activity.completedEventId = id;
      }
    } else if (event.activityTaskFailedEventAttributes) {
      const activity = activities.get(ref(event.activityTaskFailedEventAttributes.scheduledEventId));
      if (activity !== undefined) activity.failedMs = at;
    } else if (event.activityTaskCancelRequestedEventAttributes) {
      const activity = activities.get(ref(event.activityTaskCancelRequestedEventAttributes.scheduledEventId));
      if (activity !== undefined) activity.cancelRequestedMs = at;
    } else if (event.activityTaskCanceledEventAttributes) {
      const activity = activities.get(ref(event.activityTaskCanceledEventAttributes.scheduledEventId));
      if (activity !== undefined) activity.canceledMs = at;
    }
  }
  return {
    eventCount: events.length,
    workflowStartedMs,
    workflowClosedMs,
    workflowTasks,
    workflowTaskProblems,
    activities: [...activities.values()],
    eventTypes,
  };
}
