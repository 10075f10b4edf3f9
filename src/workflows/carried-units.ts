/**
 * One letter per unit: how a unit's record crosses into the next execution of a run that
 * continued as new, and how it comes back.
 */
import type { UnitStatus, WorkUnit } from '../plan/types';
import type { CarriedRun } from '../contracts/run-types';
import type { UnitRecord } from './unit-record';

const LETTER_OF: Readonly<Record<UnitStatus, string>> = {
  PENDING: 'P',
  WAITING: 'P',
  RUNNING: 'R',
  RETRYING: 'R',
  SUCCEEDED: 'S',
  FAILED: 'F',
  CANCELLED: 'C',
  BLOCKED: 'B',
  SKIPPED: 'K',
};

/** Reused (retry) successes get their own letter, so `reused_from` needs no per-unit text. */
const REUSED = 'U';

const STATUS_OF: Readonly<Record<string, UnitStatus>> = {
  P: 'PENDING',
  R: 'RETRYING',
  S: 'SUCCEEDED',
  U: 'SUCCEEDED',
  F: 'FAILED',
  C: 'CANCELLED',
  B: 'BLOCKED',
  K: 'SKIPPED',
};

export function carriedLetter(record: UnitRecord): string {
  if (record.status === 'RUNNING') {
    throw new Error('a run continues as new only when no agent is running');
  }
  return record.reusedFrom !== undefined ? REUSED : LETTER_OF[record.status];
}

/**
 * The record of a unit as this execution starts: fresh without `carried`, else as the earlier
 * execution left it. Times and artifacts of ended units are in the stored segments, not here.
 */
export function restoredRecord(
  carried: CarriedRun | undefined,
  unitId: string,
  index: number,
  reusedFromRun: string | undefined,
): UnitRecord {
  const fresh: UnitRecord = {
    status: 'PENDING',
    attempts: 0,
    exitCode: null,
    error: null,
    startedAt: null,
    finishedAt: null,
    artifacts: [],
    evidenceCount: 0,
    launched: false,
  };
  if (carried === undefined) return fresh;
  const letter = carried.statuses[index] ?? 'P';
  const status = STATUS_OF[letter];
  if (status === undefined)
    throw new Error(`carried state has unknown status letter '${letter}' for '${unitId}'`);
  const attempts = carried.attempts[index] ?? 0;
  const detail = carried.details[unitId];
  const record: UnitRecord = {
    ...fresh,
    status,
    attempts,
    evidenceCount: carried.evidence[index] ?? 0,
    launched: attempts > 0,
    exitCode: status === 'SUCCEEDED' ? 0 : (detail?.exitCode ?? null),
    error: detail?.error ?? null,
    startedAt: detail?.startedAt ?? null,
  };
  if (letter === REUSED && reusedFromRun !== undefined) record.reusedFrom = reusedFromRun;
  if (detail?.blockedBy !== undefined) record.blockedBy = detail.blockedBy;
  if (detail?.retryAt !== undefined) record.retryAt = detail.retryAt;
  const commit = carried.git?.commits[index];
  if (commit !== undefined && commit !== '') record.commit = commit;
  return record;
}

/** The per-unit part of the carried state: a letter, attempts and evidence count each, details of the ended. */
export function carriedUnits(
  units: readonly WorkUnit[],
  recordOf: (unitId: string) => UnitRecord,
): Pick<CarriedRun, 'statuses' | 'attempts' | 'evidence' | 'details'> {
  const attempts: number[] = [];
  const evidence: number[] = [];
  const details: Record<string, CarriedRun['details'][string]> = {};
  let statuses = '';
  for (const unit of units) {
    const record = recordOf(unit.unitId);
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
  return { statuses, attempts, evidence, details };
}

/** Each unit's output commit in plan order ('' for none): the per-unit part of a git run's carried SHAs. */
export function carriedCommits(
  units: readonly WorkUnit[],
  recordOf: (unitId: string) => UnitRecord,
): string[] {
  return units.map((unit) => recordOf(unit.unitId).commit ?? '');
}

/** A retry that was waiting out its delay when the run continued as new. */
export interface ResumedRetry {
  readonly unitId: string;
  /** Its next attempt. */
  readonly attempt: number;
  readonly retryAt: string;
}

/** The units of `launchOrder` waiting out a retry delay: their next attempt and when it is due. */
export function resumedRetries(
  launchOrder: readonly string[],
  record: (unitId: string) => UnitRecord,
): ResumedRetry[] {
  return launchOrder
    .map((unitId) => ({ unitId, record: record(unitId) }))
    .filter(({ record }) => record.status === 'RETRYING' && record.retryAt !== undefined)
    .map(({ unitId, record }) => ({
      unitId,
      attempt: record.attempts + 1,
      retryAt: record.retryAt as string,
    }));
}
