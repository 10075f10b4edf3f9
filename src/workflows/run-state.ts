/**
 * The state of one fan-out run: unit records, the event list of SPEC §5 and the failure policies
 * of SPEC §4.3. Plain deterministic code driven by the workflow's scheduler loop; it decides, the
 * workflow acts (starts and cancels activities).
 */
import { blockedPasses } from '../plan/blocking';
import {
  blockedByFailedDependencies,
  cancelledBecauseAnotherFailed,
  cancelledBecauseRunCancelled,
  cancelledByRequest,
  notStartedBecauseAnotherFailed,
  notStartedBecauseRunCancelled,
} from '../plan/outcome-messages';
import { compareCodePoints } from '../plan/overlap';
import { Scheduler } from '../plan/scheduler';
import type { ObservedChanges } from '../activities';
import { DirectorySet, mergeOutOfBounds, outsideEveryArea } from '../plan/out-of-bounds';
import type {
  ArtifactEntry,
  FanoutEvent,
  FileChange,
  OutOfBoundsChange,
  Plan,
  RunStatus,
  UnitResult,
  UnitStatus,
} from '../plan/types';
import { TERMINAL_STATUSES } from '../plan/types';
import { carriedLetter, restoredRecord } from './carried-units';
import type { CarriedRun, SegmentRef } from '../contracts/run-types';

/** How one unit's run ended, as its coroutine reports it to the scheduler loop. */
export type UnitOutcome =
  | {
      readonly kind: 'succeeded';
      readonly artifacts: readonly ArtifactEntry[];
      readonly startedAt: string | null;
      readonly finishedAt: string;
      readonly observed?: ObservedChanges;
    }
  | {
      readonly kind: 'failed';
      readonly exitCode: number;
      readonly error: string;
      readonly startedAt: string | null;
      readonly finishedAt: string;
      readonly observed?: ObservedChanges;
    }
  | { readonly kind: 'cancelled'; readonly finishedAt: string };

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
  /** What the unit's last attempt changed (SPEC §8.2). */
  changes?: readonly FileChange[];
}

export class RunState {
  readonly events: FanoutEvent[] = [];
  readonly scheduler: Scheduler;
  private readonly records = new Map<string, UnitRecord>();
  private readonly launchOrder: string[] = [];
  /** Cancelled units whose events wait until every agent has stopped (SPEC §7.2). */
  private readonly deferredCancellations = new Set<string>();
  private firstFailure: string | undefined;
  private runCancelled = false;
  /** Changes outside every unit's area, by path, with the units that saw them (SPEC §8.2). */
  outOfBounds: readonly OutOfBoundsChange[] = [];
  private areas: DirectorySet | undefined;
  /** Units that ended in this execution, in the order they ended: what its segments store. */
  private readonly endedHere: string[] = [];
  /** The index of this execution's first event in the whole run's event list. */
  readonly eventOffset: number;

  /**
   * A fresh run, or (with `carried`) the next execution of a run that continued as new: units
   * an earlier execution ended keep their status, retries waiting out a delay hold their slots.
   */
  constructor(
    readonly plan: Plan,
    carried?: CarriedRun,
    reusedFromRun?: string,
  ) {
    this.scheduler = new Scheduler(plan.workUnits, { maxWorkers: plan.maxWorkers, overlap: plan.overlap });
    this.eventOffset = carried?.eventCount ?? 0;
    plan.workUnits.forEach((unit, index) => {
      const record = restoredRecord(carried, unit.unitId, index, reusedFromRun);
      this.records.set(unit.unitId, record);
      if (record.status === 'SUCCEEDED') this.scheduler.succeeded(unit.unitId);
      else if (record.status === 'RETRYING') {
        this.scheduler.resumeRunning(unit.unitId);
        this.launchOrder.push(unit.unitId);
      } else if (record.status !== 'PENDING') this.scheduler.finishedWithoutSuccess(unit.unitId);
    });
    this.firstFailure = carried?.firstFailure;
    if (carried === undefined) this.events.push({ type: 'fan_out_started' });
  }

  /** Units waiting out a retry delay when the run continued as new: their next attempt and when. */
  resumedRetries(): { unitId: string; attempt: number; retryAt: string }[] {
    return this.launchOrder
      .map((unitId) => ({ unitId, record: this.record(unitId) }))
      .filter(({ record }) => record.status === 'RETRYING' && record.retryAt !== undefined)
      .map(({ unitId, record }) => ({
        unitId,
        attempt: record.attempts + 1,
        retryAt: record.retryAt as string,
      }));
  }

  /** True when every running unit is waiting out a retry delay: no agent is running. */
  get onlyRetriesWaiting(): boolean {
    return [...this.scheduler.running].every((unitId) => this.record(unitId).status === 'RETRYING');
  }

  /** Whether a later execution would have anything to do: units pending or waiting to retry. */
  get hasUnfinished(): boolean {
    return this.scheduler.running.size > 0 || this.scheduler.pendingCount > 0;
  }

  /** The compact state the next execution starts from (nothing may be running an agent). */
  carry(executions: number, segments: readonly SegmentRef[]): CarriedRun {
    const attempts: number[] = [];
    const evidence: number[] = [];
    const details: Record<string, CarriedRun['details'][string]> = {};
    let statuses = '';
    for (const unit of this.plan.workUnits) {
      const record = this.record(unit.unitId);
      statuses += carriedLetter(record);
      attempts.push(record.attempts);
      evidence.push(record.evidenceCount);
      if (record.status !== 'SUCCEEDED' && record.status !== 'PENDING') {
        details[unit.unitId] = {
          exitCode: record.exitCode,
          error: record.error,
          ...(record.blockedBy === undefined ? {} : { blockedBy: record.blockedBy }),
          ...(record.retryAt === undefined ? {} : { retryAt: record.retryAt, startedAt: record.startedAt }),
        };
      }
    }
    return {
      executions,
      eventCount: this.eventOffset + this.events.length,
      segments,
      statuses,
      attempts,
      evidence,
      details,
      ...(this.firstFailure === undefined ? {} : { firstFailure: this.firstFailure }),
    };
  }

  /** Units that ended in this execution, in the order they ended. */
  get unitsEndedHere(): readonly string[] {
    return this.endedHere;
  }

  /** No new unit starts once a failure halted the run (cancel, drain) or the run was cancelled. */
  get halted(): boolean {
    return this.runCancelled || (this.firstFailure !== undefined && this.plan.onFailure !== 'continue');
  }

  get haltingFailure(): string | undefined {
    return this.plan.onFailure === 'continue' ? undefined : this.firstFailure;
  }

  get isRunCancelled(): boolean {
    return this.runCancelled;
  }

  /**
   * Launches what the scheduler allows now, at most `limit` (the history budget); each launch
   * gets its `worker_started` event.
   */
  launchReady(now: string, limit?: number): string[] {
    if (this.halted) return [];
    const launched = this.scheduler.launch(limit);
    for (const unitId of launched) {
      const record = this.record(unitId);
      record.status = 'RUNNING';
      record.launched = true;
      record.startedAt = now;
      this.launchOrder.push(unitId);
      this.events.push({ type: 'worker_started', unit_id: unitId });
    }
    return launched;
  }

  /**
   * A retry reuses a unit an earlier run finished (its evidence checked on disk): SUCCEEDED
   * without running, 0 attempts, its artifacts and times carried over, one `worker_completed`.
   */
  reuse(
    unitId: string,
    earlier: { artifacts: readonly ArtifactEntry[]; startedAt: string | null; finishedAt: string | null },
    from: string,
  ): void {
    const record = this.record(unitId);
    Object.assign(record, {
      status: 'SUCCEEDED',
      exitCode: 0,
      error: null,
      artifacts: earlier.artifacts,
      startedAt: earlier.startedAt,
      finishedAt: earlier.finishedAt,
      evidenceCount: earlier.artifacts.length,
      reusedFrom: from,
    });
    this.endedHere.push(unitId);
    this.scheduler.succeeded(unitId);
    this.events.push({ type: 'worker_completed', unit_id: unitId, exit_code: 0, reused_from: from });
  }

  attemptStarting(unitId: string, attempt: number): void {
    const record = this.record(unitId);
    record.attempts = attempt;
    record.status = 'RUNNING';
    delete record.retryAt;
  }

  retrying(
    unitId: string,
    failed: { exitCode: number; error: string },
    attempt: number,
    delayMs: number,
    retryAt: string,
  ): void {
    const record = this.record(unitId);
    record.status = 'RETRYING';
    record.exitCode = failed.exitCode;
    record.error = failed.error;
    record.retryAt = retryAt;
    this.events.push({
      type: 'worker_retrying',
      unit_id: unitId,
      attempt,
      exit_code: failed.exitCode,
      error: failed.error,
      delay_ms: delayMs,
    });
  }

  /**
   * Records how a launched unit ended. Returns the running units the workflow must now cancel
   * (in launch order): non-empty only for the first failure under `on_failure: cancel`.
   */
  settle(unitId: string, outcome: UnitOutcome, cause: CancelCause = 'policy'): string[] {
    const record = this.record(unitId);
    if (TERMINAL_STATUSES.has(record.status)) return [];
    record.finishedAt = outcome.finishedAt;
    this.endedHere.push(unitId);
    if (outcome.kind !== 'cancelled' && outcome.observed !== undefined) {
      if (outcome.observed.changes !== undefined) record.changes = outcome.observed.changes;
      const seen = outsideEveryArea(outcome.observed.outOfBounds ?? [], this.allAreas());
      this.outOfBounds = mergeOutOfBounds(this.outOfBounds, unitId, seen);
    }
    let toCancel: string[] = [];
    if (outcome.kind === 'succeeded') {
      Object.assign(record, {
        status: 'SUCCEEDED',
        exitCode: 0,
        error: null,
        artifacts: outcome.artifacts,
        evidenceCount: outcome.artifacts.length,
      });
      if (outcome.startedAt !== null) record.startedAt = outcome.startedAt;
      this.scheduler.succeeded(unitId);
      this.events.push({ type: 'worker_completed', unit_id: unitId, exit_code: 0 });
    } else if (outcome.kind === 'failed') {
      Object.assign(record, { status: 'FAILED', exitCode: outcome.exitCode, error: outcome.error });
      this.scheduler.finishedWithoutSuccess(unitId);
      this.events.push({
        type: 'worker_failed',
        unit_id: unitId,
        exit_code: outcome.exitCode,
        error: outcome.error,
      });
      toCancel = this.applyFailurePolicy(unitId);
    } else {
      this.cancelled(unitId, cause);
    }
    if (this.scheduler.running.size === 0) this.flushCancellations();
    return toCancel;
  }

  /** Cancels a unit that never launched (an operator's request): CANCELLED, dependents blocked. */
  cancelPending(unitId: string, now: string): void {
    const record = this.record(unitId);
    record.finishedAt = now;
    this.endedHere.push(unitId);
    this.cancelled(unitId, 'request');
  }

  /** The run itself was cancelled: nothing new starts; returns the units still running. */
  cancelRun(): string[] {
    this.runCancelled = true;
    return [...this.launchOrder].filter((id) => this.scheduler.running.has(id));
  }

  /** Nothing runs and nothing can launch: end every pending unit and say how the run ended. */
  finish(now: string): RunStatus {
    this.flushCancellations();
    const pending = new Set(this.scheduler.pendingUnits());
    if (pending.size > 0) {
      for (const blocked of this.blockPending(pending, now)) pending.delete(blocked);
      const text = this.runCancelled ? notStartedBecauseRunCancelled() : notStartedBecauseAnotherFailed();
      for (const unitId of [...pending].sort(compareCodePoints)) {
        this.endUnlaunched(unitId, 'SKIPPED', text, now);
      }
    }
    if ([...this.records.values()].every((record) => record.status === 'SUCCEEDED')) {
      this.events.push({ type: 'all_workers_complete' });
      return 'succeeded';
    }
    return this.runCancelled ? 'cancelled' : 'failed';
  }

  /** Every unit's allowed directories and agent.writable: what an attempt may have judged without them. */
  private allAreas(): DirectorySet {
    this.areas ??= new DirectorySet([
      ...this.plan.workUnits.flatMap((unit) => unit.allowedDirectories),
      ...(this.plan.agent.writable ?? []),
    ]);
    return this.areas;
  }

  status(unitId: string): UnitStatus {
    return this.record(unitId).status;
  }

  has(unitId: string): boolean {
    return this.records.has(unitId);
  }

  view(unitId: string): Readonly<UnitRecord> {
    return this.record(unitId);
  }

  /** The results of the given units (default: every unit, in plan order). */
  unitResults(
    unitIds: Iterable<string> = this.plan.workUnits.map((unit) => unit.unitId),
  ): Record<string, UnitResult> {
    const results: Record<string, UnitResult> = {};
    for (const unitId of unitIds) {
      const record = this.record(unitId);
      results[unitId] = {
        status: record.status,
        exit_code: record.exitCode,
        error: record.error,
        attempts: record.attempts,
        started_at: record.startedAt,
        finished_at: record.finishedAt,
        artifacts: record.artifacts,
        ...(record.reusedFrom === undefined ? {} : { reused_from: record.reusedFrom }),
        ...(record.changes === undefined ? {} : { changes: record.changes }),
      };
    }
    return results;
  }

  private applyFailurePolicy(unitId: string): string[] {
    if (this.runCancelled) return [];
    const first = this.firstFailure === undefined;
    this.firstFailure ??= unitId;
    if (this.plan.onFailure === 'continue') {
      this.blockPending(new Set(this.scheduler.pendingUnits()), this.record(unitId).finishedAt);
      return [];
    }
    if (this.plan.onFailure === 'cancel' && first) {
      return this.launchOrder.filter((id) => this.scheduler.running.has(id));
    }
    return [];
  }

  private cancelled(unitId: string, cause: CancelCause): void {
    const record = this.record(unitId);
    const text =
      cause === 'request'
        ? cancelledByRequest()
        : cause === 'run'
          ? cancelledBecauseRunCancelled()
          : cancelledBecauseAnotherFailed();
    Object.assign(record, { status: 'CANCELLED', exitCode: 1, error: text, cancelCause: cause });
    this.scheduler.finishedWithoutSuccess(unitId);
    if (cause === 'request') {
      this.events.push({ type: 'worker_failed', unit_id: unitId, exit_code: 1, error: text });
      this.blockPending(new Set(this.scheduler.pendingUnits()), record.finishedAt);
    } else {
      this.deferredCancellations.add(unitId);
    }
  }

  private flushCancellations(): void {
    for (const unitId of this.launchOrder) {
      if (!this.deferredCancellations.delete(unitId)) continue;
      const record = this.record(unitId);
      this.events.push({ type: 'worker_failed', unit_id: unitId, exit_code: 1, error: record.error ?? '' });
    }
  }

  /** Blocks the pending units downstream of a failure (passes in plan order); returns their ids. */
  private blockPending(pending: ReadonlySet<string>, now: string | null): string[] {
    const failed = new Set(
      [...this.records]
        .filter(([, r]) => ['FAILED', 'CANCELLED', 'BLOCKED'].includes(r.status))
        .map(([id]) => id),
    );
    const blocked = blockedPasses(this.plan.workUnits, pending, failed);
    for (const { unitId, blockers } of blocked) {
      this.endUnlaunched(unitId, 'BLOCKED', blockedByFailedDependencies(blockers), now);
      this.record(unitId).blockedBy = blockers;
    }
    return blocked.map((b) => b.unitId);
  }

  private endUnlaunched(
    unitId: string,
    status: 'BLOCKED' | 'SKIPPED',
    text: string,
    now: string | null,
  ): void {
    Object.assign(this.record(unitId), { status, exitCode: 1, error: text, finishedAt: now });
    this.endedHere.push(unitId);
    this.scheduler.finishedWithoutSuccess(unitId);
    this.events.push({ type: 'worker_failed', unit_id: unitId, exit_code: 1, error: text });
  }

  private record(unitId: string): UnitRecord {
    const record = this.records.get(unitId);
    if (record === undefined) throw new Error(`unknown unit '${unitId}'`);
    return record;
  }
}
