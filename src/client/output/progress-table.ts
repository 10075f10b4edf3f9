/** `status` for people: counts, then one row per unit with why it waits when it does. */
import type { Progress, UnitProgress } from '../../contracts/run-types';
import { firstLineCut, formatColumns } from './text-table';

export function formatProgressTable(workflowId: string, progress: Progress, nowMs = Date.now()): string {
  const counts = Object.entries(progress.counts)
    .map(([status, n]) => `${n} ${status.toLowerCase()}`)
    .join(', ');
  const rows = progress.units.map((unit) => [
    unit.unit_id,
    unit.reused_from === undefined ? unit.status : 'REUSED',
    String(unit.attempts),
    firstLineCut(noteOf(unit, nowMs)),
  ]);
  return [
    `${workflowId} — ${progress.plan_name}: ${progress.state} (${counts}; max_workers ${progress.max_workers}, on_failure ${progress.on_failure})`,
    ...formatColumns(['unit', 'status', 'attempts', 'note'], rows),
    '',
  ].join('\n');
}

/** Why a unit waits, how it ended, or where it was reused from; a retrying unit says when it goes on. */
function noteOf(unit: UnitProgress, nowMs: number): string {
  if (unit.reused_from !== undefined) return `reused from ${unit.reused_from}`;
  if (unit.reason?.kind === 'retry-delay') {
    const inSeconds = Math.max(0, Math.round((Date.parse(unit.reason.retryAt) - nowMs) / 1000));
    const failed = unit.error === null ? '' : `; attempt ${unit.attempts} failed: ${unit.error}`;
    return `${unit.why ?? ''} (in ${inSeconds} s)${failed}`;
  }
  return unit.error ?? unit.why ?? '';
}
