/** `status` for people: counts, then one row per unit with why it waits when it does. */
import type { Progress } from '../workflows/types';

export function formatProgressTable(workflowId: string, progress: Progress): string {
  const counts = Object.entries(progress.counts)
    .map(([status, n]) => `${n} ${status.toLowerCase()}`)
    .join(', ');
  const rows = progress.units.map((unit) => [
    unit.unit_id,
    unit.status,
    String(unit.attempts),
    oneLine(unit.error ?? unit.why ?? ''),
  ]);
  const header = ['unit', 'status', 'attempts', 'note'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [
    `${workflowId} — ${progress.plan_name}: ${progress.state} (${counts}; max_workers ${progress.max_workers}, on_failure ${progress.on_failure})`,
    format(header),
    ...rows.map(format),
    '',
  ].join('\n');
}

function oneLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 100 ? `${line.slice(0, 100)}…` : line;
}
