/**
 * The state of one fan-out run: the scheduler, the event list of SPEC §5, the units' records
 * (unit-records.ts) and the failure policies of SPEC §4.3. Plain deterministic code driven by the workflow's scheduler loop; it decides, the
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
import type { FanoutEvent, Plan, RunStatus, UnitResult, UnitStatus } from '../plan/types';
import { TERMINAL_STATUSES } from '../plan/types';
import type { CarriedRun, SegmentRef } from '../contracts/run-types';
import { AttemptReports } from './attempt-reports';
import { carriedUnits, resumedRetries, type ResumedRetry } from './carried-units';
import type { CancelCause, UnitOutcome, UnitRecord } from './unit-record';
import { UnitRecords, type ReusedSuccess } from './unit-records';

export class RunState {
  readonly events: FanoutEvent[] = [];
  /** Containment warnings (SPEC §8.1) and out-of-bounds changes (§8.2) of the attempts that ended here. */
  readonly reports: AttemptReports;
  readonly scheduler: Scheduler;
  private readonly records: UnitRecords;
  private readonly launchOrder: string[] = [];
  /** Cancelled units whose events wait until every agent has stopped (SPEC §7.2). */
  private readonly deferredCancellations = new Set<string>();
  private firstFailure: string | undefined;
  private runCancelled = false;
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
    this.records = new UnitRecords(plan.workUnits, this.events, carried, reusedFromRun);
    this.reports = new AttemptReports(plan, this.records, carried);
    plan.workUnits.forEach((unit) => {
      const record = this.record(unit.unitId);
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
  resumedRetries(): ResumedRetry[] {
    return resumedRetries(this.launchOrder, (unitId) => this.record(unitId));
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
    return {
      executions,
      eventCount: this.eventOffset + this.events.length,
      segments,
      ...carriedUnits(this.plan.workUnits, (unitId) => this.record(unitId)),
      ...(this.firstFailure === undefined ? {} : { firstFailure: this.firstFailure }),
      ...this.reports.carry(),
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
      this.records.launched(unitId, now);
      this.launchOrder.push(unitId);
    }
    return launched;
  }

  /** A prefetched unit (still PENDING) started in a slot handed over to it: it runs from now on. */
  handedOver(unitId: string, now: string): void {
    if (!this.scheduler.handedOver(unitId)) return;
    this.records.launched(unitId, now);
    this.records.attemptStarting(unitId, 1);
    this.launchOrder.push(unitId);
  }

  /**
   * A retry reuses a unit an earlier run finished (its evidence checked on disk): SUCCEEDED
   * without running, 0 attempts, its artifacts and times carried over, one `worker_completed`.
   */
  reuse(unitId: string, earlier: ReusedSuccess, from: string): void {
    this.records.reused(unitId, earlier, from);
    this.endedHere.push(unitId);
    this.scheduler.succeeded(unitId);
  }

  attemptStarting(unitId: string, attempt: number): void {
    this.records.attemptStarting(unitId, attempt);
  }

  retrying(
    unitId: string,
    failed: { exitCode: number; error: string },
    attempt: number,
    delayMs: number,
    retryAt: string,
  ): void {
    this.records.retrying(unitId, failed, attempt, delayMs, retryAt);
  }

  /**
   * Records how a launched unit ended. Returns the running units the workflow must now cancel
   * (in launch order): non-empty only for the first failure under `on_failure: cancel`.
   */
  settle(unitId: string, outcome: UnitOutcome, cause: CancelCause = 'policy'): string[] {
    if (TERMINAL_STATUSES.has(this.status(unitId))) return [];
    this.records.change(unitId, { finishedAt: outcome.finishedAt });
    this.endedHere.push(unitId);
    this.reports.ended(unitId, outcome);
    let toCancel: string[] = [];
    if (outcome.kind === 'succeeded') {
      this.records.succeeded(unitId, outcome);
      this.scheduler.succeeded(unitId);
    } else if (outcome.kind === 'failed') {
      this.records.failed(unitId, outcome);
      this.scheduler.finishedWithoutSuccess(unitId);
      toCancel = this.applyFailurePolicy(unitId);
    } else {
      this.cancelled(unitId, cause);
    }
    if (this.scheduler.running.size === 0) this.flushCancellations();
    return toCancel;
  }

  /** Cancels a unit that never launched (an operator's request): CANCELLED, dependents blocked. */
  cancelPending(unitId: string, now: string): void {
    this.records.change(unitId, { finishedAt: now });
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
    if (this.records.allSucceeded) {
      this.events.push({ type: 'all_workers_complete' });
      return 'succeeded';
    }
    return this.runCancelled ? 'cancelled' : 'failed';
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
    return this.records.results(unitIds);
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
    const text =
      cause === 'request'
        ? cancelledByRequest()
        : cause === 'run'
          ? cancelledBecauseRunCancelled()
          : cancelledBecauseAnotherFailed();
    const record = this.records.change(unitId, {
      status: 'CANCELLED',
      exitCode: 1,
      error: text,
      cancelCause: cause,
    });
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
    const blocked = blockedPasses(this.plan.workUnits, pending, this.records.blockingUnits());
    for (const { unitId, blockers } of blocked) {
      this.endUnlaunched(unitId, 'BLOCKED', blockedByFailedDependencies(blockers), now);
      this.records.change(unitId, { blockedBy: blockers });
    }
    return blocked.map((b) => b.unitId);
  }

  private endUnlaunched(
    unitId: string,
    status: 'BLOCKED' | 'SKIPPED',
    text: string,
    now: string | null,
  ): void {
    this.records.endedUnlaunched(unitId, status, text, now);
    this.endedHere.push(unitId);
    this.scheduler.finishedWithoutSuccess(unitId);
  }

  private record(unitId: string): UnitRecord {
    return this.records.get(unitId);
  }
}
