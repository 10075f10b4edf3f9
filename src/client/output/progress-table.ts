/** `status` for people: counts, then one row per unit with why it waits when it does. */
import type { Progress } from '../../contracts/run-types';
import { firstLineCut, formatColumns } from './text-table';

export function formatProgressTable(workflowId: string, progress: Progress): string {
  const counts = Object.entries(progress.counts)
    .map(([status, n]) => `${n} ${status.toLowerCase()}`)
    .join(', ');
  const rows = progress.units.map((unit) => [
    unit.unit_id,
    unit.status,
    String(unit.attempts),
    firstLineCut(unit.error ?? unit.why ?? ''),
  ]);
  return [
    `${workflowId} — ${progress.plan_name}: ${progress.state} (${counts}; max_workers ${progress.max_workers}, on_failure ${progress.on_failure})`,
    ...formatColumns(['unit', 'status', 'attempts', 'note'], rows),
    '',
  ].join('\n');
}
