/** The end-of-run table for people: one row per unit. */
import type { FanoutResult } from '../plan/types';

export function formatResultTable(result: FanoutResult): string {
  const rows = Object.entries(result.units).map(([id, unit]) => [
    id,
    unit.status,
    String(unit.attempts),
    unit.exit_code === null ? '' : String(unit.exit_code),
    oneLine(unit.error ?? (unit.artifacts.length > 0 ? `${unit.artifacts.length} artifact(s)` : '')),
  ]);
  const header = ['unit', 'status', 'attempts', 'exit', 'note'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const format = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  const verdict =
    `run ${result.status}` + (result.workflow_id !== undefined ? ` (${result.workflow_id})` : '');
  return ['', verdict, format(header), ...rows.map(format), ''].join('\n') + '\n';
}

function oneLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 100 ? `${line.slice(0, 100)}…` : line;
}
