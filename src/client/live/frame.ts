/**
 * One frame of the live display, as lines that each fit the terminal's width: a header, an overall
 * progress bar, and a table of units (status, attempt, elapsed, last output line). When the units
 * do not fit the terminal's height, the rows that matter least (finished units first) collapse
 * into one line of counts. Pure: the clock and the terminal size are arguments.
 */
import type { UnitStatus } from '../../plan/types';
import type { Painter, Style } from './ansi';
import { cell, clock, fit, plainLine } from './ansi';
import type { RunView, UnitView } from './run-view';
import { isTerminal } from './run-view';

export interface FrameOptions {
  readonly columns: number;
  readonly rows: number;
  readonly nowMs: number;
  readonly paint: Painter;
  /** Block characters for the bar; `#` and `-` otherwise. */
  readonly unicode: boolean;
}

const STATUS_STYLE: Record<UnitStatus, Style> = {
  PENDING: 'dim',
  WAITING: 'dim',
  RUNNING: 'cyan',
  RETRYING: 'yellow',
  SUCCEEDED: 'green',
  FAILED: 'red',
  CANCELLED: 'magenta',
  BLOCKED: 'magenta',
  SKIPPED: 'dim',
};

/** Which rows stay when the table must shrink: lower comes first. */
const KEEP_ORDER: Record<UnitStatus, number> = {
  RUNNING: 0,
  RETRYING: 1,
  FAILED: 2,
  CANCELLED: 3,
  WAITING: 4,
  PENDING: 5,
  BLOCKED: 6,
  SKIPPED: 7,
  SUCCEEDED: 8,
};

/** Lines above the table: header, bar, column titles. */
const CHROME_LINES = 3;
/** The row under the frame where the cursor waits, so the frame never scrolls the screen. */
const CURSOR_LINE = 1;
const STATUS_WIDTH = 9;
const ATTEMPT_WIDTH = 3;
const ELAPSED_WIDTH = 7;
const MAX_UNIT_WIDTH = 24;

export function renderFrame(view: RunView, options: FrameOptions): string[] {
  const width = Math.max(20, options.columns - 1);
  const { paint } = options;
  const lines = [header(view, options, width), progressBar(view, options, width)];

  const unitWidth = Math.min(MAX_UNIT_WIDTH, Math.max(4, ...view.units.map((unit) => unit.unitId.length)));
  const fixed = unitWidth + STATUS_WIDTH + ATTEMPT_WIDTH + ELAPSED_WIDTH + 4 * 2;
  const noteWidth = width - fixed;
  const titles = [
    cell('UNIT', unitWidth),
    cell('STATUS', STATUS_WIDTH),
    cell('ATT', ATTEMPT_WIDTH),
    cell('ELAPSED', ELAPSED_WIDTH),
    noteWidth >= 8 ? 'LAST OUTPUT' : '',
  ];
  lines.push(paint('dim', fit(titles.join('  ').trimEnd(), width)));

  const room = Math.max(1, options.rows - CHROME_LINES - CURSOR_LINE);
  const { shown, hidden } = chooseRows(view.units, room);
  for (const unit of shown) {
    const note = noteWidth >= 8 ? fit(plainLine(unit.note), noteWidth) : '';
    const row = [
      cell(unit.unitId, unitWidth),
      paint(STATUS_STYLE[unit.status], cell(unit.reused === true ? 'REUSED' : unit.status, STATUS_WIDTH)),
      cell(unit.attempts > 0 ? String(unit.attempts) : '-', ATTEMPT_WIDTH),
      cell(elapsed(unit, options.nowMs), ELAPSED_WIDTH),
      paint(noteStyle(unit), note),
    ];
    lines.push(row.join('  ').trimEnd());
  }
  if (hidden.length > 0)
    lines.push(paint('dim', fit(`… ${hidden.length} more: ${countWords(hidden)}`, width)));
  return lines;
}

function header(view: RunView, options: FrameOptions, width: number): string {
  const start = earliest(view.units.map((unit) => unit.startedAt));
  const ended = view.units.every((unit) => isTerminal(unit.status));
  const end = ended ? latest(view.units.map((unit) => unit.finishedAt)) : undefined;
  const took = start === undefined ? '' : `  ${clock((end ?? options.nowMs) - start)}`;
  const text = `${view.workflowId} · ${view.planName} · ${view.state}${took}`;
  return options.paint('bold', fit(text, width));
}

function progressBar(view: RunView, options: FrameOptions, width: number): string {
  const total = view.units.length;
  const ended = view.units.filter((unit) => isTerminal(unit.status)).length;
  const percent = total === 0 ? 100 : Math.floor((ended / total) * 100);
  const counts = countWords(view.units, ['RUNNING', 'RETRYING', 'WAITING', 'FAILED', 'CANCELLED', 'BLOCKED']);
  const label = `${String(percent).padStart(3)}%  ${ended}/${total} done${counts === '' ? '' : ` · ${counts}`}`;
  const barWidth = Math.max(10, Math.min(40, width - label.length - 3));
  const filled = total === 0 ? barWidth : Math.round((ended / total) * barWidth);
  const [full, empty] = options.unicode ? ['█', '░'] : ['#', '-'];
  const failed = view.units.some((unit) => unit.status === 'FAILED' || unit.status === 'CANCELLED');
  const bar =
    options.paint(failed ? 'red' : 'green', full.repeat(filled)) +
    options.paint('dim', empty.repeat(barWidth - filled));
  return `${bar}  ${fit(label, width - barWidth - 2)}`;
}

/** The `room` rows that matter most, in plan order, and the rest. */
function chooseRows(units: readonly UnitView[], room: number): { shown: UnitView[]; hidden: UnitView[] } {
  if (units.length <= room) return { shown: [...units], hidden: [] };
  const keep = room - 1; // one line for the count of the rest
  const ranked = units
    .map((unit, index) => ({ unit, index }))
    .sort((a, b) => KEEP_ORDER[a.unit.status] - KEEP_ORDER[b.unit.status] || a.index - b.index);
  const kept = new Set(ranked.slice(0, keep).map((entry) => entry.index));
  return {
    shown: units.filter((_unit, index) => kept.has(index)),
    hidden: units.filter((_unit, index) => !kept.has(index)),
  };
}

/** `3 succeeded, 1 pending`, in status order; only the given statuses when `only` is set. */
function countWords(units: readonly UnitView[], only?: readonly UnitStatus[]): string {
  const counts = new Map<UnitStatus, number>();
  for (const unit of units) counts.set(unit.status, (counts.get(unit.status) ?? 0) + 1);
  const order = only ?? (Object.keys(KEEP_ORDER) as UnitStatus[]);
  return order
    .filter((status) => (counts.get(status) ?? 0) > 0)
    .map((status) => `${counts.get(status)} ${status.toLowerCase()}`)
    .join(', ');
}

function elapsed(unit: UnitView, nowMs: number): string {
  if (unit.startedAt === null) return '';
  const start = Date.parse(unit.startedAt);
  const end = unit.finishedAt === null || !isTerminal(unit.status) ? nowMs : Date.parse(unit.finishedAt);
  return Number.isNaN(start) ? '' : clock(end - start);
}

function noteStyle(unit: UnitView): Style | undefined {
  if (unit.noteKind === 'error') return unit.status === 'FAILED' ? 'red' : 'magenta';
  if (unit.noteKind === 'why' || unit.noteKind === 'done') return 'dim';
  return undefined;
}

function earliest(times: readonly (string | null)[]): number | undefined {
  const values = times.filter((time): time is string => time !== null).map(Date.parse);
  return values.length === 0 ? undefined : Math.min(...values);
}

function latest(times: readonly (string | null)[]): number | undefined {
  const values = times.filter((time): time is string => time !== null).map(Date.parse);
  return values.length === 0 ? undefined : Math.max(...values);
}
