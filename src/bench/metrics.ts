/**
 * The numbers of one shape's run, from its result (agent start and end per unit) and its history.
 *
 * Per-unit coordinator overhead = the agent's start minus the moment it could have started:
 * - a unit with dependencies could start once its last dependency's agent ended (the latest
 *   `finished_at` of its dependencies);
 * - a unit held by max_workers could start once a slot freed: the k-th launch (by start time, from
 *   0) with k >= max_workers needs k - max_workers + 1 agents to have ended, so its slot freed at
 *   the (k - max_workers)-th `finished_at` in time order;
 * - it could start at the later of the two; a unit with neither (no dependencies, launched in the
 *   first wave) is skipped, and the first wave is covered by `first agent start` instead.
 *
 * The overhead of each such unit is split along its trigger (the unit whose end released it) and
 * the history events in between:
 *   agent end → trigger's ActivityTaskCompleted → the next WorkflowTaskCompleted →
 *   unit's ActivityTaskScheduled → ActivityTaskStarted → agent start.
 */
import type { FanoutResult } from '../plan/types';
import type { ActivityTimes, HistoryFacts } from './history';
import { simulateIdeal } from './ideal';
import type { OverheadSegments, ShapeMetrics } from './figures';
import type { AgentStamps } from './stamps';
import type { Shape } from './shapes';
import { distribution, type Distribution } from './stats';

interface UnitTimes {
  readonly unitId: string;
  readonly dependencies: readonly string[];
  readonly startMs: number;
  readonly finishMs: number;
}

interface Release {
  readonly unit: UnitTimes;
  readonly readyMs: number;
  readonly cause: 'dependency' | 'slot';
  readonly trigger: UnitTimes;
}

function ms(iso: string | null | undefined): number {
  return iso === null || iso === undefined ? Number.NaN : Date.parse(iso);
}

/** When each unit could have started, and what released it (see the file comment). */
export function releases(units: readonly UnitTimes[], maxWorkers: number): Release[] {
  const byId = new Map(units.map((unit) => [unit.unitId, unit]));
  const byStart = [...units].sort((a, b) => a.startMs - b.startMs || (a.unitId < b.unitId ? -1 : 1));
  const byFinish = [...units].sort((a, b) => a.finishMs - b.finishMs || (a.unitId < b.unitId ? -1 : 1));
  const found: Release[] = [];
  byStart.forEach((unit, index) => {
    let latestDependency: UnitTimes | undefined;
    for (const dep of unit.dependencies) {
      const times = byId.get(dep);
      if (
        times !== undefined &&
        (latestDependency === undefined || times.finishMs > latestDependency.finishMs)
      )
        latestDependency = times;
    }
    const slotFreer = index >= maxWorkers ? byFinish[index - maxWorkers] : undefined;
    const candidates: Release[] = [];
    if (latestDependency !== undefined)
      candidates.push({
        unit,
        readyMs: latestDependency.finishMs,
        cause: 'dependency',
        trigger: latestDependency,
      });
    if (slotFreer !== undefined)
      candidates.push({ unit, readyMs: slotFreer.finishMs, cause: 'slot', trigger: slotFreer });
    const latest = candidates.sort((a, b) => b.readyMs - a.readyMs)[0];
    if (latest !== undefined) found.push(latest);
  });
  return found;
}

function segmentsOf(found: readonly Release[], history: HistoryFacts): OverheadSegments {
  const firstAttempt = new Map<string, ActivityTimes>();
  for (const activity of history.activities)
    if (!firstAttempt.has(activity.unitId)) firstAttempt.set(activity.unitId, activity);
  const tasks = history.workflowTasks;
  /** The first workflow task completed after event `eventId` (tasks are in history order). */
  const taskAfter = (eventId: number): number | undefined => {
    let low = 0;
    let high = tasks.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((tasks[middle]?.completedEventId ?? 0) <= eventId) low = middle + 1;
      else high = middle;
    }
    return tasks[low]?.completedMs;
  };
  const lists = {
    agentEndToActivityCompleted: [] as number[],
    activityCompletedToWorkflowTaskCompleted: [] as number[],
    workflowTaskCompletedToScheduled: [] as number[],
    scheduleToStart: [] as number[],
    activityStartedToSpawn: [] as number[],
  };
  for (const release of found) {
    const trigger = firstAttempt.get(release.trigger.unitId);
    const own = firstAttempt.get(release.unit.unitId);
    if (trigger?.completedMs === undefined || trigger.completedEventId === undefined) continue;
    if (own?.startedMs === undefined) continue;
    const taskDone = taskAfter(trigger.completedEventId);
    if (taskDone === undefined) continue;
    lists.agentEndToActivityCompleted.push(trigger.completedMs - release.trigger.finishMs);
    lists.activityCompletedToWorkflowTaskCompleted.push(taskDone - trigger.completedMs);
    lists.workflowTaskCompletedToScheduled.push(own.scheduledMs - taskDone);
    lists.scheduleToStart.push(own.startedMs - own.scheduledMs);
    lists.activityStartedToSpawn.push(release.unit.startMs - own.startedMs);
  }
  return {
    agentEndToActivityCompleted: distribution(lists.agentEndToActivityCompleted),
    activityCompletedToWorkflowTaskCompleted: distribution(lists.activityCompletedToWorkflowTaskCompleted),
    workflowTaskCompletedToScheduled: distribution(lists.workflowTaskCompletedToScheduled),
    scheduleToStart: distribution(lists.scheduleToStart),
    activityStartedToSpawn: distribution(lists.activityStartedToSpawn),
  };
}

export function shapeMetrics(
  shape: Shape,
  workflowId: string,
  result: FanoutResult,
  history: HistoryFacts,
  stamps: ReadonlyMap<string, AgentStamps> = new Map(),
  historyBytes = Number.NaN,
): ShapeMetrics {
  const times: UnitTimes[] = shape.units.map((unit) => {
    const outcome = result.units[unit.unitId];
    return {
      unitId: unit.unitId,
      dependencies: unit.dependencies,
      startMs: ms(outcome?.started_at),
      finishMs: ms(outcome?.finished_at),
    };
  });
  const measured = times.filter((unit) => Number.isFinite(unit.startMs) && Number.isFinite(unit.finishMs));
  const succeeded = Object.values(result.units).filter((unit) => unit.status === 'SUCCEEDED').length;
  // reduce, not Math.min(...): a spread of 10,000+ arguments may overflow the stack.
  const firstStart = measured.reduce((min, unit) => Math.min(min, unit.startMs), Number.POSITIVE_INFINITY);
  const lastEnd = measured.reduce((max, unit) => Math.max(max, unit.finishMs), Number.NEGATIVE_INFINITY);
  const agentsMs = lastEnd - firstStart;
  const workflowMs = history.workflowClosedMs - history.workflowStartedMs;

  let idealMs = Number.NaN;
  if (measured.length === shape.units.length) {
    const durations = new Map(measured.map((unit) => [unit.unitId, unit.finishMs - unit.startMs]));
    idealMs = simulateIdeal(
      shape.units.map((unit) => ({ ...unit, allowedDirectories: [`src/${unit.unitId}`] })),
      { maxWorkers: shape.maxWorkers, overlap: 'reject' },
      durations,
    ).makespanMs;
  }

  const found = releases(measured, shape.maxWorkers);
  const overhead = (cause?: Release['cause']): Distribution | null =>
    distribution(
      found
        .filter((release) => cause === undefined || release.cause === cause)
        .map((release) => release.unit.startMs - release.readyMs),
    );
  const ratio = (value: number): number => Math.round((value / idealMs) * 1000) / 1000;
  return {
    shape: shape.name,
    title: shape.title,
    units: shape.units.length,
    maxWorkers: shape.maxWorkers,
    agentMs: shape.agentMs,
    workflowId,
    status: result.status,
    succeeded,
    makespan: {
      agentsMs,
      workflowMs,
      idealMs,
      agentsOverIdeal: ratio(agentsMs),
      workflowOverIdeal: ratio(workflowMs),
    },
    firstAgentStartMs: firstStart - history.workflowStartedMs,
    lastAgentEndToCloseMs: history.workflowClosedMs - lastEnd,
    agentDurationMs: distribution(measured.map((unit) => unit.finishMs - unit.startMs)),
    meanRunningAgents:
      Math.round((measured.reduce((sum, unit) => sum + (unit.finishMs - unit.startMs), 0) / agentsMs) * 100) /
      100,
    agentPhasesMs: agentPhases(measured, stamps),
    overheadMs: {
      all: overhead(),
      byDependency: overhead('dependency'),
      bySlot: overhead('slot'),
      segments: segmentsOf(found, history),
    },
    history: historyNumbers(history, shape.units.length, historyBytes),
  };
}

/** The agent duration split by the agent's own stamps (see {@link ShapeMetrics.agentPhasesMs}). */
function agentPhases(
  measured: readonly UnitTimes[],
  stamps: ReadonlyMap<string, AgentStamps>,
): ShapeMetrics['agentPhasesMs'] {
  const firstAction = (unit: UnitTimes): number => stamps.get(unit.unitId)?.startMs ?? Number.NaN;
  const lastAction = (unit: UnitTimes): number => stamps.get(unit.unitId)?.endMs ?? Number.NaN;
  return {
    launchToFirstAction: distribution(measured.map((unit) => firstAction(unit) - unit.startMs)),
    ownWork: distribution(measured.map((unit) => lastAction(unit) - firstAction(unit))),
    lastActionToFinished: distribution(measured.map((unit) => unit.finishMs - lastAction(unit))),
  };
}

/** Events, size and workflow-task latencies of the run's history. */
function historyNumbers(
  history: HistoryFacts,
  unitCount: number,
  historyBytes: number,
): ShapeMetrics['history'] {
  const tasks = history.workflowTasks;
  return {
    events: history.eventCount,
    eventsPerUnit: Math.round((history.eventCount / Math.max(1, unitCount)) * 100) / 100,
    bytes: historyBytes,
    bytesPerUnit: Math.round(historyBytes / Math.max(1, unitCount)),
    byType: history.eventTypes,
    workflowTasks: tasks.length,
    workflowTaskProblems: history.workflowTaskProblems,
    workflowTaskLatencyMs: distribution(tasks.map((task) => task.completedMs - task.scheduledMs)),
    workflowTaskQueueMs: distribution(tasks.map((task) => task.startedMs - task.scheduledMs)),
    workflowTaskRunMs: distribution(tasks.map((task) => task.completedMs - task.startedMs)),
    activityScheduleToStartMs: distribution(
      history.activities
        .filter((activity) => activity.startedMs !== undefined)
        .map((activity) => (activity.startedMs as number) - activity.scheduledMs),
    ),
  };
}
