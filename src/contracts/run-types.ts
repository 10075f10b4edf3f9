/** Inputs and answers of the fan-out workflow: plain data shared by the client, the workflow and the activities. */
import type {
  ArtifactEntry,
  FanoutEvent,
  OutOfBoundsChange,
  Plan,
  RunStatus,
  UnitStatus,
} from '../plan/types';
import type { GitRunInput } from './git';
import type { AbandonedAttempt } from './hosts';

/** A unit an earlier run finished with success; a retry reuses it if its evidence is intact. */
export interface EarlierSuccess {
  readonly artifacts: readonly ArtifactEntry[];
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** A git run's output commit of the unit (SPEC §9); reused only while it still exists. */
  readonly commit?: string;
}

/**
 * The run a retry reuses successes from: inline when its result was small, else the result file
 * it stored on the worker host (read there, page by page, by an activity).
 */
export interface RetryOf {
  readonly workflowId: string;
  readonly succeeded?: Readonly<Record<string, EarlierSuccess>>;
  readonly resultFile?: { readonly path: string; readonly sha256: string };
  /** `retry --plan`: units whose definition changed (or depends on one that did); never reused. */
  readonly rerun?: readonly string[];
}

export interface FanoutInput {
  readonly plan: Plan;
  /** Absolute path of the checkout on the worker host; agents run there. */
  readonly repo: string;
  /** Set by `retry <id>`: the run this one retries, and the units that succeeded there. */
  readonly retryOf?: RetryOf;
  /** Set for `workspace: git` (SPEC §9): the base, branch and commit identity the client resolved. */
  readonly git?: GitRunInput;
  /** Set when the run continues as new: what the earlier executions of this run did. */
  readonly carried?: CarriedRun;
  /**
   * Events one execution may reach before the run continues as new (default
   * DEFAULT_HISTORY_EVENT_LIMIT in workflows/history-budget.ts); tests lower it.
   */
  readonly historyEventLimit?: number;
  /**
   * `--prefetch N`: up to N units' first attempts start ahead of a free slot and wait on the
   * worker for one (activities/agent/slot-handover.ts). Absent or 0: none. Shared local runs only.
   */
  readonly prefetch?: number;
}

/** A file on the worker host that holds part of a run's result: its events and/or its units. */
export interface SegmentRef {
  readonly path: string;
  readonly sha256: string;
  readonly events: number;
  readonly units: number;
}

/**
 * The state a run carries into its next execution, compact so a plan of 10,000 units stays far
 * below the payload limit: a status letter, attempt count and evidence count per unit (plan
 * order), details only for units that did not plainly succeed. Full unit results and events of
 * earlier executions live in segment files on the worker host.
 */
export interface CarriedRun {
  /** Executions of this run before this one. */
  readonly executions: number;
  /** Events earlier executions stored; the index of this execution's first event. */
  readonly eventCount: number;
  readonly segments: readonly SegmentRef[];
  /** One letter per unit in plan order: see `carriedLetter` in workflows/carried-units.ts. */
  readonly statuses: string;
  readonly attempts: readonly number[];
  readonly evidence: readonly number[];
  readonly details: Readonly<Record<string, CarriedDetail>>;
  readonly firstFailure?: string;
  /** A `workspace: git` run's SHAs so far (SPEC §9). */
  readonly git?: CarriedGit;
  /** A git retry continued before every reused unit was merged: the next execution reuses the rest. */
  readonly reusing?: boolean;
  /** The run's containment warnings (SPEC §8.1) so far; absent when none. */
  readonly warnings?: readonly string[];
  /** The run's changes outside every unit's area (SPEC §8.2) so far; absent when none. */
  readonly outOfBounds?: readonly OutOfBoundsChange[];
  /** A remote run's attempts given up on lost hosts (SPEC §10) so far; absent when none. */
  readonly abandoned?: readonly AbandonedAttempt[];
}

/** The SHAs a git run carries into its next execution: 40 hex each, no more. */
export interface CarriedGit {
  /** The integration commit so far (the base before the first unit was integrated). */
  readonly integration: string;
  /** Each unit's output commit in plan order; '' for a unit without one. */
  readonly commits: readonly string[];
}

export interface CarriedDetail {
  readonly exitCode: number | null;
  readonly error: string | null;
  readonly blockedBy?: readonly string[];
  /** A unit waiting out a retry delay: when its next attempt starts. */
  readonly retryAt?: string;
  readonly startedAt?: string | null;
}

/** Why a unit is not running, in words and as data (SPEC §6, "why is it not running?"). */
export type HoldReason =
  | { readonly kind: 'dependencies'; readonly waitingFor: readonly string[] }
  | { readonly kind: 'slot'; readonly running: number; readonly maxWorkers: number }
  | { readonly kind: 'overlap'; readonly unitId: string }
  | { readonly kind: 'retry-delay'; readonly nextAttempt: number; readonly retryAt: string }
  | { readonly kind: 'blocked'; readonly by: readonly string[] }
  | { readonly kind: 'halted'; readonly failedUnit: string };

export interface UnitProgress {
  readonly unit_id: string;
  readonly status: UnitStatus;
  readonly attempts: number;
  readonly started_at: string | null;
  readonly finished_at: string | null;
  readonly exit_code: number | null;
  readonly error: string | null;
  readonly reason?: HoldReason;
  /** The reason in one line, for people. */
  readonly why?: string;
  /** A retry's unit reused from the run it retries (no agent started): that run's id. */
  readonly reused_from?: string;
  /** A git unit's output commit (SPEC §9), once it SUCCEEDED. */
  readonly commit?: string;
}

export interface Progress {
  readonly plan_name: string;
  readonly max_workers: number;
  readonly on_failure: string;
  readonly state: 'running' | 'cancelling' | RunStatus;
  readonly counts: Readonly<Partial<Record<UnitStatus, number>>>;
  /** In plan order. */
  readonly units: readonly UnitProgress[];
}

export interface CancelUnitAnswer {
  readonly unit_id: string;
  readonly status: UnitStatus;
}

export interface EventsPage {
  readonly events: readonly FanoutEvent[];
  /**
   * The index of `events[0]`: more than `from` when the run continued as new and the events
   * asked for are in its stored segments (the result has them all).
   */
  readonly first: number;
  readonly total: number;
  /** True once every unit has ended: no more events will come. */
  readonly finished: boolean;
}
