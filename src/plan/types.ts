/**
 * The normalized plan: what a plan file means once parsed, validated and given its defaults.
 *
 * This is the shape that crosses the wire into the workflow, so it holds plain JSON data only.
 * The zod schema (`schema.ts`) produces it on the client; the workflow never imports zod.
 */

import type { GitRunResult } from '../contracts/git';

export type OnFailure = 'cancel' | 'drain' | 'continue';
export type OverlapMode = 'reject' | 'serialize';
/** How an agent's writes are held to its unit's area (SPEC §8.1). */
export const CONFINEMENT_MODES = ['landlock', 'audit', 'off'] as const;
export type ConfinementMode = (typeof CONFINEMENT_MODES)[number];
/** Where units work (SPEC §9): one shared checkout, or a git working tree each. */
export const WORKSPACE_MODES = ['shared', 'git'] as const;
export type WorkspaceMode = (typeof WORKSPACE_MODES)[number];

/** An attempt's containment facts, on its success and in its failure's details. */
export interface AttemptContainment {
  /** The confinement the agent ran under on its worker. */
  readonly confinement: ConfinementMode;
  /** The §8.1 warning when it ran under less than the plan asked for. */
  readonly warning?: string;
  /** Processes that had to be stopped after the agent's leader exited; absent when not counted. */
  readonly strayProcesses?: number;
}

/** A duration as the plan wrote it: `text` is used in messages (SPEC §7.6), `ms` for timing. */
export interface Duration {
  readonly ms: number;
  /** As written in the plan (`3s`); an integer plan value is shown as `<n>ms`. */
  readonly text: string;
}

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly initialInterval: Duration;
  readonly backoff: number;
  readonly maxInterval: Duration;
}

export interface AgentSettings {
  /** argv template; undefined when every unit has its own `command`. */
  readonly command?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly timeout: Duration;
  readonly idleTimeout: Duration;
  readonly grace: Duration;
  /** Repo-relative paths every agent may also write (SPEC §8.1); absent means none. */
  readonly writable?: readonly string[];
}

export interface WorkUnit {
  readonly unitId: string;
  readonly description: string;
  readonly allowedDirectories: readonly string[];
  readonly dependencies: readonly string[];
  readonly stepIds: readonly string[];
  readonly command?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly timeout?: Duration;
  readonly idleTimeout?: Duration;
  /** Overrides the plan's `retry` key by key (SPEC §7.3). */
  readonly retry?: Partial<RetryPolicy>;
}

export interface Plan {
  readonly name: string;
  readonly maxWorkers: number;
  readonly onFailure: OnFailure;
  readonly overlap: OverlapMode;
  readonly agent: AgentSettings;
  readonly retry: RetryPolicy;
  readonly evidence: { readonly pattern: string };
  /** Relative to the repo, normalized POSIX path, default `.agent/workers`. */
  readonly namespaceRoot: string;
  /**
   * As the plan or `--confinement` said; absent means the default, `landlock`, which audits
   * instead where the checkout lies beneath the worker's $HOME (SPEC §8.1).
   */
  readonly confinement?: ConfinementMode;
  /** As the plan or `--workspace` said; absent means `shared` (SPEC §9). */
  readonly workspace?: WorkspaceMode;
  /** `host_loss_timeout` (SPEC §10); absent means the default, 10m. Used by remote runs only. */
  readonly hostLossTimeout?: Duration;
  readonly workUnits: readonly WorkUnit[];
}

/** Everything one unit's attempt needs, with plan defaults and unit overrides merged. */
export interface UnitSettings {
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly timeout: Duration;
  readonly idleTimeout: Duration;
  readonly grace: Duration;
  readonly retry: RetryPolicy;
  readonly evidencePattern: string;
  /** The plan's confinement request (SPEC §8.1); absent is the default. */
  readonly confinement?: ConfinementMode;
  /** `agent.writable`: repo-relative paths every agent may also write. */
  readonly writable?: readonly string[];
}

export type UnitStatus =
  | 'PENDING'
  | 'WAITING'
  | 'RUNNING'
  | 'RETRYING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'CANCELLED'
  | 'BLOCKED'
  | 'SKIPPED';

export const TERMINAL_STATUSES: ReadonlySet<UnitStatus> = new Set([
  'SUCCEEDED',
  'FAILED',
  'CANCELLED',
  'BLOCKED',
  'SKIPPED',
]);

/** One counted evidence file (SPEC §4.2). */
export interface ArtifactEntry {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

/** One file an attempt created, modified or deleted inside the repo, outside every namespace (SPEC §8.2). */
export interface FileChange {
  /** Repo-relative POSIX path. */
  readonly path: string;
  readonly kind: 'added' | 'modified' | 'deleted';
  /** Of the new content; null for a deleted file. */
  readonly size: number | null;
  readonly sha256: string | null;
}

/** A change outside every unit's allowed directories and `agent.writable` (SPEC §8.2). */
export interface OutOfBoundsChange {
  readonly path: string;
  readonly kind: FileChange['kind'];
  /** The units running when it happened (each saw it appear during its attempt), sorted. */
  readonly units: readonly string[];
}

/** The five event types of SPEC §5, plus `worker_retrying`. Keys are snake_case: this is the result JSON. */
export type FanoutEvent =
  | { readonly type: 'fan_out_started' }
  | { readonly type: 'worker_started'; readonly unit_id: string }
  | {
      readonly type: 'worker_completed';
      readonly unit_id: string;
      readonly exit_code: number;
      /** Set when the unit was not run again: a retry reused its success in this earlier run. */
      readonly reused_from?: string;
    }
  | {
      readonly type: 'worker_failed';
      readonly unit_id: string;
      readonly exit_code: number;
      readonly error: string;
    }
  | {
      readonly type: 'worker_retrying';
      readonly unit_id: string;
      readonly attempt: number;
      readonly exit_code: number;
      readonly error: string;
      readonly delay_ms: number;
    }
  | { readonly type: 'all_workers_complete' };

export interface UnitResult {
  readonly status: UnitStatus;
  readonly exit_code: number | null;
  readonly error: string | null;
  readonly attempts: number;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly artifacts: readonly ArtifactEntry[];
  /** Set when a retried run reused this unit's success from an earlier run. */
  readonly reused_from?: string;
  /** The confinement its last attempt ran under (SPEC §8.1); absent when it never started. */
  readonly confinement?: ConfinementMode;
  /** Processes its last attempt's agent left running, stopped after its leader exited (§8.3). */
  readonly stray_processes?: number;
  /** What the unit's last attempt changed in the repo (SPEC §8.2); absent when not observed (`confinement: off`). */
  readonly changes?: readonly FileChange[];
  /** A git run's output commit of the unit (SPEC §9). */
  readonly commit?: string;
  /** A remote run's worker host that ran the unit's last attempt (SPEC §10). */
  readonly host?: string;
}

export type RunStatus = 'succeeded' | 'failed' | 'cancelled' | 'rejected';

export interface FanoutResult {
  readonly workflow_id?: string;
  readonly run_id?: string;
  readonly status: RunStatus;
  readonly events: readonly FanoutEvent[];
  readonly units: Readonly<Record<string, UnitResult>>;
  /** The run this one retries (SPEC §6 retry). */
  readonly retry_of?: string;
  /**
   * Set when the result was too large for Temporal (a run that continued as new, or thousands of
   * units): the whole result is this file on the worker host, and `events`/`units` are empty.
   * A remote run's (SPEC §10) is `git:<ref>` on its remote. The client API reads it (`awaitResult`).
   */
  readonly result_file?: string;
  readonly result_sha256?: string;
  /** How many workflow executions the run took (more than 1 when it continued as new). */
  readonly executions?: number;
  readonly summary_files?: readonly string[];
  /** Each containment warning of the run once (SPEC §8.1), in the order first seen. */
  readonly warnings?: readonly string[];
  /** Changes outside every unit's area (SPEC §8.2), by path; absent when there were none. */
  readonly out_of_bounds?: readonly OutOfBoundsChange[];
  /** A `workspace: git` run's commits and branch (SPEC §9 "End"). */
  readonly git?: GitRunResult;
}

/** The pseudo unit id of a preflight rejection (SPEC §2.4). */
export const PREFLIGHT_UNIT_ID = '__preflight__';
