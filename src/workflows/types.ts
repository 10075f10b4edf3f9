/** Inputs and answers of the fan-out workflow: plain data shared by the workflow and the client. */
import type { ArtifactEntry, FanoutEvent, Plan, RunStatus, UnitStatus } from '../plan/types';

/** A unit an earlier run finished with success; a retry reuses it if its evidence is intact. */
export interface EarlierSuccess {
  readonly artifacts: readonly ArtifactEntry[];
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
}

export interface FanoutInput {
  readonly plan: Plan;
  /** Absolute path of the checkout on the worker host; agents run there. */
  readonly repo: string;
  /** Set by `retry <id>`: the run this one retries, and the units that succeeded there. */
  readonly retryOf?: {
    readonly workflowId: string;
    readonly succeeded: Readonly<Record<string, EarlierSuccess>>;
  };
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
  readonly total: number;
  /** True once every unit has ended: no more events will come. */
  readonly finished: boolean;
}
