/** What the `workspace` bench shape reports (see `workspace.ts`). */
import type { Distribution } from './stats';
import type { TreeDisk } from './workspace-repo';

export type WorkspaceMode = 'shared' | 'git-first' | 'git-reused';

export interface WorkspaceRun {
  readonly mode: WorkspaceMode;
  readonly workflowId: string;
  readonly status: string;
  readonly succeeded: number;
  readonly units: number;
  /** Run started -> its result read. */
  readonly wallMs: number;
  /** ActivityTaskStarted -> the agent's first action: the metric. */
  readonly unitStartToAgentStartMs: Distribution | null;
  /** ActivityTaskStarted -> `started_at` (starting point, working tree, namespace, launch). */
  readonly activityStartedToLaunchMs: Distribution | null;
  /** `started_at` -> the agent's first action (supervisor and agent start-up). */
  readonly launchToFirstActionMs: Distribution | null;
  /** The agent's last action -> ActivityTaskCompleted (commit, checks, evidence copy, tree released). */
  readonly agentEndToCompletedMs: Distribution | null;
  readonly loadAverageStart: readonly number[];
  readonly loadAverageEnd: readonly number[];
  /**
   * Released trees of this repository in the worker's pool after the run: what the next git run
   * can reuse (fewer than max_workers means some of its starts add a tree).
   */
  readonly pooledAfter: number;
}

export interface WorkspaceSize {
  readonly files: number;
  readonly repoSetupMs: number;
  /** The source checkout's files, without `.git`. */
  readonly checkoutKib: number;
  readonly runs: readonly WorkspaceRun[];
  /** One prepared working tree (see the file comment); null when none was found. */
  readonly treeDisk: TreeDisk | null;
  /** git p50 and p95 over shared p50 and p95, per git mode. */
  readonly ratios: Readonly<Partial<Record<WorkspaceMode, { p50: number; p95: number }>>>;
}

export interface WorkspaceReport {
  readonly title: string;
  readonly units: number;
  readonly maxWorkers: number;
  /** `FANOUT_WORKTREE_POOL` as the worker got it (default 4). */
  readonly poolSize: string;
  readonly sizes: readonly WorkspaceSize[];
  readonly target: {
    readonly files: number;
    readonly p95Ms: number;
    readonly targetMs: number;
    /** Null when the 100,000-file repository was not measured (`--quick`). */
    readonly met: boolean | null;
  };
  /** Failed runs, in words; empty when all succeeded. */
  readonly problems: readonly string[];
}
