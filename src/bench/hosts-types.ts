/** What the `hosts` bench shape reports (see `hosts.ts`). */
import type { Distribution } from './stats';

/** `git`: single-host git mode (`--repo`, no remote); `remote-1`/`remote-2`: `--remote`, one or two workers. */
export type HostsMode = 'git' | 'remote-1' | 'remote-2';

export interface HostsRun {
  readonly mode: HostsMode;
  readonly workflowId: string;
  readonly status: string;
  readonly succeeded: number;
  readonly units: number;
  /** How many units each host ran (the result's `host`; `-` in single-host mode). */
  readonly unitsPerHost: Readonly<Record<string, number>>;
  /** WorkflowExecutionStarted -> the close event (server times): the run's makespan. */
  readonly makespanMs: number;
  /** runAgentAttempt ActivityTaskStarted -> the agent's first stamp: starting point (fetch), tree, launch. */
  readonly beforeAgentMs: Distribution | null;
  /** The agent's last stamp -> ActivityTaskCompleted: commit, evidence, push. */
  readonly afterAgentMs: Distribution | null;
  /** The sum of both per unit: what a unit costs beyond its agent. */
  readonly overheadMs: Distribution | null;
  readonly loadAverageStart: readonly number[];
  readonly loadAverageEnd: readonly number[];
}

export interface HostsReport {
  readonly title: string;
  readonly units: number;
  readonly maxWorkers: number;
  readonly agentMs: number;
  readonly runs: readonly HostsRun[];
  /** Remote (one worker) over single-host git: the fetch + push overhead per unit. */
  readonly remoteOverheadMs: { readonly p50: number; readonly p95: number } | null;
  /** Makespan with two workers over one (same max_workers). */
  readonly twoOverOneMakespan: number;
  /** Failed runs, in words; empty when all succeeded. */
  readonly problems: readonly string[];
}
