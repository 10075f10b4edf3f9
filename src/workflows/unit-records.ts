/**
 * Every unit's record in one run, by unit id: restored from the carried state or fresh, changed
 * only through typed changes, each unit event of SPEC §5 pushed with the change it announces, and
 * turned into the unit results. It knows nothing of scheduling or failure policies (run-state.ts).
 */
import type { ArtifactEntry, AttemptContainment, FanoutEvent, UnitResult, WorkUnit } from '../plan/types';
import type { CarriedRun } from '../contracts/run-types';
import { restoredRecord } from './carried-units';
import type { RecordChange, UnitOutcome, UnitRecord } from './unit-record';

type Succeeded = Extract<UnitOutcome, { kind: 'succeeded' }>;
type Failed = Extract<UnitOutcome, { kind: 'failed' }>;

/** What a retry reuses of a unit an earlier run finished. */
export interface ReusedSuccess {
  readonly artifacts: readonly ArtifactEntry[];
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** A git unit's output commit (SPEC §9). */
  readonly commit?: string;
}

/** Statuses whose units block their dependents. */
const BLOCKING_STATUSES: readonly string[] = ['FAILED', 'CANCELLED', 'BLOCKED'];

export class UnitRecords {
  private readonly records = new Map<string, UnitRecord>();

  /** `events` is the run's event list; the records push their events onto it. */
  constructor(
    units: readonly WorkUnit[],
    private readonly events: FanoutEvent[],
    carried?: CarriedRun,
    reusedFromRun?: string,
  ) {
    units.forEach((unit, index) => {
      this.records.set(unit.unitId, restoredRecord(carried, unit.unitId, index, reusedFromRun));
    });
  }

  has(unitId: string): boolean {
    return this.records.has(unitId);
  }

  get(unitId: string): UnitRecord {
    const record = this.records.get(unitId);
    if (record === undefined) throw new Error(`unknown unit '${unitId}'`);
    return record;
  }

  /** Applies `change` to the unit's record and returns the record. */
  change(unitId: string, change: RecordChange): UnitRecord {
    return Object.assign(this.get(unitId), change);
  }

  /** Keeps what confined the unit's attempt (SPEC §8.1, §8.3); returns its warning, if any. */
  contained(unitId: string, containment: AttemptContainment | undefined): string | undefined {
    if (containment === undefined) return undefined;
    this.change(unitId, { containment });
    return containment.warning;
  }

  launched(unitId: string, now: string): void {
    this.change(unitId, { status: 'RUNNING', launched: true, startedAt: now });
    this.events.push({ type: 'worker_started', unit_id: unitId });
  }

  reused(unitId: string, earlier: ReusedSuccess, from: string): void {
    this.change(unitId, {
      status: 'SUCCEEDED',
      exitCode: 0,
      error: null,
      artifacts: earlier.artifacts,
      startedAt: earlier.startedAt,
      finishedAt: earlier.finishedAt,
      evidenceCount: earlier.artifacts.length,
      reusedFrom: from,
      ...(earlier.commit === undefined ? {} : { commit: earlier.commit }),
    });
    this.events.push({ type: 'worker_completed', unit_id: unitId, exit_code: 0, reused_from: from });
  }

  attemptStarting(unitId: string, attempt: number): void {
    const record = this.change(unitId, { attempts: attempt, status: 'RUNNING' });
    delete record.retryAt;
  }

  retrying(
    unitId: string,
    failed: { exitCode: number; error: string },
    attempt: number,
    delayMs: number,
    retryAt: string,
  ): void {
    this.change(unitId, { status: 'RETRYING', exitCode: failed.exitCode, error: failed.error, retryAt });
    this.events.push({
      type: 'worker_retrying',
      unit_id: unitId,
      attempt,
      exit_code: failed.exitCode,
      error: failed.error,
      delay_ms: delayMs,
    });
  }

  succeeded(unitId: string, outcome: Succeeded): void {
    this.change(unitId, {
      status: 'SUCCEEDED',
      exitCode: 0,
      error: null,
      artifacts: outcome.artifacts,
      evidenceCount: outcome.artifacts.length,
      ...(outcome.startedAt !== null ? { startedAt: outcome.startedAt } : {}),
      ...(outcome.commit === undefined ? {} : { commit: outcome.commit }),
      ...(outcome.host === undefined ? {} : { host: outcome.host }),
    });
    this.events.push({ type: 'worker_completed', unit_id: unitId, exit_code: 0 });
  }

  failed(unitId: string, outcome: Failed): void {
    this.change(unitId, {
      status: 'FAILED',
      exitCode: outcome.exitCode,
      error: outcome.error,
      ...(outcome.host === undefined ? {} : { host: outcome.host }),
    });
    this.events.push({
      type: 'worker_failed',
      unit_id: unitId,
      exit_code: outcome.exitCode,
      error: outcome.error,
    });
  }

  /** A unit that never launched ends BLOCKED or SKIPPED, with `text` as its error. */
  endedUnlaunched(unitId: string, status: 'BLOCKED' | 'SKIPPED', text: string, now: string | null): void {
    this.change(unitId, { status, exitCode: 1, error: text, finishedAt: now });
    this.events.push({ type: 'worker_failed', unit_id: unitId, exit_code: 1, error: text });
  }

  /** The units that block their dependents: failed, cancelled or blocked themselves. */
  blockingUnits(): Set<string> {
    return new Set(
      [...this.records].filter(([, record]) => BLOCKING_STATUSES.includes(record.status)).map(([id]) => id),
    );
  }

  get allSucceeded(): boolean {
    return [...this.records.values()].every((record) => record.status === 'SUCCEEDED');
  }

  /** The results of the given units, in the order given. */
  results(unitIds: Iterable<string>): Record<string, UnitResult> {
    const results: Record<string, UnitResult> = {};
    for (const unitId of unitIds) {
      const record = this.get(unitId);
      results[unitId] = {
        status: record.status,
        exit_code: record.exitCode,
        error: record.error,
        attempts: record.attempts,
        started_at: record.startedAt,
        finished_at: record.finishedAt,
        artifacts: record.artifacts,
        ...(record.reusedFrom === undefined ? {} : { reused_from: record.reusedFrom }),
        ...containmentFields(record.containment),
        ...(record.changes === undefined ? {} : { changes: record.changes }),
        ...(record.commit === undefined ? {} : { commit: record.commit }),
        ...(record.host === undefined ? {} : { host: record.host }),
      };
    }
    return results;
  }
}

/** A unit result's containment keys (SPEC §8.1, §8.3), when its attempt reported them. */
function containmentFields(containment: AttemptContainment | undefined): Partial<UnitResult> {
  if (containment === undefined) return {};
  const { confinement, strayProcesses } = containment;
  return { confinement, ...(strayProcesses === undefined ? {} : { stray_processes: strayProcesses }) };
}
