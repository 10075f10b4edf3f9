/** Builds the `progress` answer and the Web UI's current details from the run state. */
import type { UnitStatus } from '../plan/types';
import type { RunState } from './run-state';
import type { HoldReason, Progress, UnitProgress } from '../contracts/run-types';

export function buildProgress(state: RunState, runState: Progress['state']): Progress {
  const counts: Partial<Record<UnitStatus, number>> = {};
  const units = state.plan.workUnits.map((unit) => {
    const progress = unitProgress(state, unit.unitId);
    counts[progress.status] = (counts[progress.status] ?? 0) + 1;
    return progress;
  });
  return {
    plan_name: state.plan.name,
    max_workers: state.plan.maxWorkers,
    on_failure: state.plan.onFailure,
    state: runState,
    counts,
    units,
  };
}

function unitProgress(state: RunState, unitId: string): UnitProgress {
  const record = state.view(unitId);
  const reason = holdReason(state, unitId);
  const status: UnitStatus =
    record.status === 'PENDING' && (reason?.kind === 'slot' || reason?.kind === 'overlap')
      ? 'WAITING'
      : record.status;
  return {
    unit_id: unitId,
    status,
    attempts: record.attempts,
    started_at: record.startedAt,
    finished_at: record.finishedAt,
    exit_code: record.exitCode,
    error: record.error,
    ...(reason === undefined ? {} : { reason, why: describeReason(reason) }),
    ...(record.reusedFrom === undefined ? {} : { reused_from: record.reusedFrom }),
    ...(record.commit === undefined ? {} : { commit: record.commit }),
  };
}

function holdReason(state: RunState, unitId: string): HoldReason | undefined {
  const record = state.view(unitId);
  if (record.status === 'RETRYING' && record.retryAt !== undefined) {
    return { kind: 'retry-delay', nextAttempt: record.attempts + 1, retryAt: record.retryAt };
  }
  if (record.status === 'BLOCKED' && record.blockedBy !== undefined)
    return { kind: 'blocked', by: record.blockedBy };
  if (record.status !== 'PENDING') return undefined;
  const halting = state.haltingFailure;
  if (halting !== undefined) return { kind: 'halted', failedUnit: halting };
  return state.scheduler.waitReason(unitId);
}

export function describeReason(reason: HoldReason): string {
  switch (reason.kind) {
    case 'dependencies':
      return `waiting for dependencies: ${reason.waitingFor.join(', ')}`;
    case 'slot':
      return `waiting for a free slot (${reason.running}/${reason.maxWorkers} running)`;
    case 'overlap':
      return `waiting for overlapping unit '${reason.unitId}' to finish`;
    case 'retry-delay':
      return `attempt ${reason.nextAttempt} starts at ${reason.retryAt}`;
    case 'blocked':
      return `blocked by failed dependencies: ${reason.by.join(', ')}`;
    case 'halted':
      return `not started: '${reason.failedUnit}' failed`;
  }
}

const DETAIL_ROWS = 200;

/** A Markdown table for the Web UI's current details; large plans show the busiest rows first. */
export function renderDetails(progress: Progress): string {
  const counts = Object.entries(progress.counts)
    .map(([status, n]) => `${status} ${n}`)
    .join(' · ');
  const order: Record<string, number> = { RUNNING: 0, RETRYING: 1, FAILED: 2, WAITING: 3 };
  const rows = [...progress.units]
    .sort((a, b) => (order[a.status] ?? 9) - (order[b.status] ?? 9))
    .slice(0, DETAIL_ROWS)
    .map((u) => `| ${u.unit_id} | ${u.status} | ${u.attempts} | ${cell(u.error ?? u.why ?? '')} |`);
  const more =
    progress.units.length > DETAIL_ROWS ? `\n\n(${progress.units.length - DETAIL_ROWS} more units)` : '';
  return (
    [
      `**${progress.plan_name}** — ${progress.state} — ${counts}`,
      '',
      '| unit | status | attempts | note |',
      '|---|---|---|---|',
      ...rows,
    ].join('\n') + more
  );
}

function cell(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return (line.length > 120 ? `${line.slice(0, 120)}…` : line).replace(/\|/g, '\\|');
}
