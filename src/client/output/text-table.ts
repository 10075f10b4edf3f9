/** Plain aligned columns for terminal output; the last column is left unpadded. */
import { displayWidth, fitWidth, padWidth } from '../live/text-width';

/** Columns are aligned by terminal width, so a note in CJK or with emoji does not shift the rest. */
export function formatColumns(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) =>
    Math.max(displayWidth(title), ...rows.map((row) => displayWidth(row[column] ?? ''))),
  );
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : padWidth(cell, widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [format(header), ...rows.map(format)];
}

/** The first line of a text, cut to `max` terminal columns plus an ellipsis. */
export function firstLineCut(text: string, max = 100): string {
  const line = text.split('\n')[0] ?? '';
  return fitWidth(line, max + 1);
}
