/** The numbers a bench shape reports: its run's timings and history, and its processes' costs. */
import type { FanoutResult } from '../plan/types';
import type { Shape } from './shapes';
import type { Distribution } from './stats';

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

/** Issue 18's CPU per unit: what agent-fanout itself spent on each agent launch, in ms. */
export interface CpuPerLaunch {
  readonly launches: number;
  /**
   * One run of the shape's agent: its own `times` where it ran (the fake agent's `--cpu-times`),
   * or for an agent that does not report it, a calibration apart from the run (agent-own-cpu.ts).
   */
  readonly agentOwnMs: number;
  readonly agentOwnMeasured: 'in run' | 'apart';
  readonly workerMs: number;
  /** The launcher and the supervisors: the agents' CPU less the fake agent's own. */
  readonly supervisorsMs: number;
  /** Worker and supervisors together, the fake agent's own excluded. */
  readonly coordinatorMs: number;
}
