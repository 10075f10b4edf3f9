/**
 * One unit's record in a run, and how its coroutine reports the unit's end. Plain types, shared
 * by the run state, the scheduler loop and the carried state of a run that continues as new.
 */
import type { ObservedChanges } from '../activities';
import type { ArtifactEntry, AttemptContainment, FileChange, UnitStatus } from '../plan/types';

/** How one unit's run ended, as its coroutine reports it to the scheduler loop. */
export type UnitOutcome =
  | {
      readonly kind: 'succeeded';
      readonly artifacts: readonly ArtifactEntry[];
      readonly startedAt: string | null;
      readonly finishedAt: string;
      readonly containment?: AttemptContainment;
      /** What its attempts changed (SPEC §8.2): the last one's changes, every one's out-of-bounds. */
      readonly observed?: ObservedChanges;
      /** A git unit's output commit (SPEC §9). */
      readonly commit?: string;
      /** A remote run's host that ran the last attempt (SPEC §10). */
      readonly host?: string;
      /** The prefetched unit its last attempt handed its slot over to. */
      readonly handedTo?: string;
      /** True when that slot went out in ticket order (prefetched-units.ts). */
      readonly handedInTicketOrder?: boolean;
    }
  | {
      readonly kind: 'failed';
      readonly exitCode: number;
      readonly error: string;
      readonly startedAt: string | null;
      readonly finishedAt: string;
      readonly containment?: AttemptContainment;
      /** What its attempts changed (SPEC §8.2): the last one's changes, every one's out-of-bounds. */
      readonly observed?: ObservedChanges;
      /** A remote run's host that ran the last attempt (SPEC §10). */
      readonly host?: string;
      /** The prefetched unit its last attempt handed its slot over to (`on_failure: continue`). */
      readonly handedTo?: string;
      readonly handedInTicketOrder?: boolean;
    }
  | { readonly kind: 'cancelled'; readonly finishedAt: string };

/** How a unit's coroutine ended: its outcome, or (prefetch) its first attempt never got a slot. */
export type UnitRunEnd = UnitOutcome | { readonly kind: 'returned' };

/** Why a unit was cancelled: the failure policy, an operator's request for it, or the whole run. */
export type CancelCause = 'policy' | 'request' | 'run';

export interface UnitRecord {
  status: UnitStatus;
  attempts: number;
  exitCode: number | null;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  artifacts: readonly ArtifactEntry[];
  /** The length of the evidence manifest (also known for units an earlier execution finished). */
  evidenceCount: number;
  launched: boolean;
  retryAt?: string;
  blockedBy?: readonly string[];
  cancelCause?: CancelCause;
  reusedFrom?: string;
  containment?: AttemptContainment;
  /** What the unit's last attempt changed (SPEC §8.2). */
  changes?: readonly FileChange[];
  /** A git unit's output commit (SPEC §9), once it SUCCEEDED. */
  commit?: string;
  /** A remote run's host that ran the unit's last attempt (SPEC §10). */
  host?: string;
}

/** Fields of a record that change together; each one typed as the record declares it. */
export type RecordChange = Partial<UnitRecord>;
