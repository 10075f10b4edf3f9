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
import type { ChainFacts } from './chain';
import type { ActivityTimes, HistoryFacts } from './history';
import type { ReplayCost } from './replay';
import type { ScaleChecks } from './scale';
import { simulateIdeal } from './ideal';
import type { Shape } from './shapes';
import { distribution, type Distribution } from './stats';

export interface OverheadSegments {
  /** Trigger's agent end → its ActivityTaskCompleted (activity wrap-up and completion RPC). */
  readonly agentEndToActivityCompleted: Distribution | null;
  /** → the first WorkflowTaskCompleted after it (workflow task queue + run). */
  readonly activityCompletedToWorkflowTaskCompleted: Distribution | null;
  /** → the unit's ActivityTaskScheduled (0 when the same workflow task launched it). */
  readonly workflowTaskCompletedToScheduled: Distribution | null;
  /** ActivityTaskScheduled → ActivityTaskStarted (a poller picked it up). */
  readonly scheduleToStart: Distribution | null;
  /** ActivityTaskStarted → agent spawned (activity preparation). */
  readonly activityStartedToSpawn: Distribution | null;
}

export interface ShapeMetrics {
  readonly shape: Shape['name'];
  readonly title: string;
  readonly units: number;
  readonly maxWorkers: number;
  readonly agentMs: number;
  readonly workflowId: string;
  readonly status: FanoutResult['status'];
  readonly succeeded: number;
  readonly makespan: {
    /** First agent start → last agent end. */
    readonly agentsMs: number;
    /** WorkflowExecutionStarted → close event. */
    readonly workflowMs: number;
    /** Same rules, measured agent durations, zero coordinator cost. */
    readonly idealMs: number;
    readonly agentsOverIdeal: number;
    readonly workflowOverIdeal: number;
  };
  /** WorkflowExecutionStarted → first agent start. */
  readonly firstAgentStartMs: number;
  /** Last agent end → workflow close (summary files, result). */
  readonly lastAgentEndToCloseMs: number;
  /** Measured agent durations (finished_at − started_at). */
  readonly agentDurationMs: Distribution | null;
  /** Sum of agent durations / agents makespan: how many agents ran at once on average. */
  readonly meanRunningAgents: number;
  /** The agent duration split by the agent's own first and last action (its stamps). */
  readonly agentPhasesMs: {
    /** started_at → the agent's first action: supervisor and agent start-up. */
    readonly launchToFirstAction: Distribution | null;
    /** The agent's first → last action: what the agent itself took. */
    readonly ownWork: Distribution | null;
    /** The agent's last action → finished_at: its exit noticed, its group checked, evidence read. */
    readonly lastActionToFinished: Distribution | null;
  };
  readonly overheadMs: {
    /** Every unit with a known ready time. */
    readonly all: Distribution | null;
    /** Units released by a dependency's end. */
    readonly byDependency: Distribution | null;
    /** Units released by a freed slot. */
    readonly bySlot: Distribution | null;
    readonly segments: OverheadSegments;
  };
  readonly history: {
    readonly events: number;
    readonly eventsPerUnit: number;
    /** The server's history size (DescribeWorkflowExecution); Temporal's hard limit is 50 MiB. */
    readonly bytes: number;
    readonly bytesPerUnit: number;
    readonly byType: Readonly<Record<string, number>>;
    readonly workflowTasks: number;
    readonly workflowTaskProblems: number;
    /** WorkflowTaskScheduled → WorkflowTaskCompleted. */
    readonly workflowTaskLatencyMs: Distribution | null;
    /** WorkflowTaskScheduled → WorkflowTaskStarted. */
    readonly workflowTaskQueueMs: Distribution | null;
    /** WorkflowTaskStarted → WorkflowTaskCompleted. */
    readonly workflowTaskRunMs: Distribution | null;
    /** ActivityTaskScheduled → ActivityTaskStarted of the agent attempts. */
    readonly activityScheduleToStartMs: Distribution | null;
  };
}

export interface ProcessFigures {
  readonly workerPeakRssMiB: number;
  readonly workerRssAtEndMiB: number;
  readonly workerCpuSeconds: number;
  /** CPU of the agents and their supervisors (reaped by the worker's launcher, or by the worker). */
  readonly agentsCpuSeconds: number;
  readonly serverCpuSeconds: number;
  /** Time the worker's threads were runnable but waited for a CPU. */
  readonly workerRunQueueWaitSeconds: number;
  readonly serverRunQueueWaitSeconds: number;
  /** Average busy CPUs of the whole machine during the shape. */
  readonly machineBusyCores: number;
  /** Average CPUs used by worker, agents and server during the shape; the rest was other load. */
  readonly benchCores: number;
  readonly wallSeconds: number;
  readonly loadAverageStart: readonly number[];
  readonly loadAverageEnd: readonly number[];
}

export type ShapeReport = ShapeMetrics & {
  readonly process: ProcessFigures;
  readonly replay: ReplayCost;
  /** The run's executions (more than one once it continued as new), events and largest payload. */
  readonly chain: ChainFacts;
  /** Issue 8's limits broken by this run (events per execution, payload size); empty when none. */
  readonly limitViolations: readonly string[];
  /** `scale` only: progress, result and retry checked after the run. */
  readonly checks?: ScaleChecks;
};

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

/** An agent's own first and last action, from the stamp file (`<unit> attempt=<n> start|end <ms>`). */
export interface AgentStamps {
  startMs?: number;
  endMs?: number;
}

export function parseStamps(text: string): Map<string, AgentStamps> {
  const stamps = new Map<string, AgentStamps>();
  for (const line of text.split('\n')) {
    const match = /^(\S+) attempt=\d+ (start|end) (\d+)$/.exec(line.trim());
    if (match === null) continue;
    const [, unitId, label, at] = match as unknown as [string, string, string, string];
    const entry = stamps.get(unitId) ?? {};
    if (label === 'start') entry.startMs = Number(at);
    else entry.endMs = Number(at);
    stamps.set(unitId, entry);
  }
  return stamps;
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
  const wft = history.workflowTasks;
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
    agentPhasesMs: {
      launchToFirstAction: distribution(
        measured.map((unit) => (stamps.get(unit.unitId)?.startMs ?? Number.NaN) - unit.startMs),
      ),
      ownWork: distribution(
        measured.map(
          (unit) =>
            (stamps.get(unit.unitId)?.endMs ?? Number.NaN) - (stamps.get(unit.unitId)?.startMs ?? Number.NaN),
        ),
      ),
      lastActionToFinished: distribution(
        measured.map((unit) => unit.finishMs - (stamps.get(unit.unitId)?.endMs ?? Number.NaN)),
      ),
    },
    overheadMs: {
      all: overhead(),
      byDependency: overhead('dependency'),
      bySlot: overhead('slot'),
      segments: segmentsOf(found, history),
    },
    history: {
      events: history.eventCount,
      eventsPerUnit: Math.round((history.eventCount / Math.max(1, shape.units.length)) * 100) / 100,
      bytes: historyBytes,
      bytesPerUnit: Math.round(historyBytes / Math.max(1, shape.units.length)),
      byType: history.eventTypes,
      workflowTasks: wft.length,
      workflowTaskProblems: history.workflowTaskProblems,
      workflowTaskLatencyMs: distribution(wft.map((task) => task.completedMs - task.scheduledMs)),
      workflowTaskQueueMs: distribution(wft.map((task) => task.startedMs - task.scheduledMs)),
      workflowTaskRunMs: distribution(wft.map((task) => task.completedMs - task.startedMs)),
      activityScheduleToStartMs: distribution(
        history.activities
          .filter((activity) => activity.startedMs !== undefined)
          .map((activity) => (activity.startedMs as number) - activity.scheduledMs),
      ),
    },
  };
}
