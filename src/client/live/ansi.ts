/**
 * The little of ANSI the live display needs: cursor movement, line clearing, colours, and fitting
 * text into a terminal's width without wrapping (a wrapped line would break the in-place redraw).
 */
import { displayWidth, fitWidth, padWidth } from './text-width';

const ESC = '\u001b[';

export const ansi = {
  /** Moves the cursor up `n` lines, to column 1. */
  up: (n: number): string => (n > 0 ? `${ESC}${n}F` : '\r'),
  clearLine: `${ESC}2K`,
  /** Clears from the cursor to the end of the screen. */
  clearDown: `${ESC}J`,
  hideCursor: `${ESC}?25l`,
  showCursor: `${ESC}?25h`,
} as const;

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan';

const STYLE_CODES: Record<Style, [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  magenta: [35, 39],
  cyan: [36, 39],
};

/** Wraps text in a style; identity when colours are off. */
export type Painter = (style: Style | undefined, text: string) => string;

export function painter(enabled: boolean): Painter {
  return (style, text) => {
    if (!enabled || style === undefined || text === '') return text;
    const [open, close] = STYLE_CODES[style];
    return `${ESC}${open}m${text}${ESC}${close}m`;
  };
}

/** Colours on a terminal unless NO_COLOR is set (https://no-color.org) or TERM is dumb. */
export function colorsWanted(isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return isTTY && env.TERM !== 'dumb';
}

/** Whether block characters (█ ░ …) will show: a UTF-8 locale. */
export function unicodeWanted(env: Readonly<Record<string, string | undefined>>): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(locale);
}

/** Escape sequences (CSI, OSC) and every other C0/C1 control character. */
const CONTROL =
  // eslint-disable-next-line no-control-regex
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]|[\u0000-\u001f\u007f-\u009f]/g;

/** Agent output made safe to show on one line: control sequences removed, tabs as spaces. */
export function plainLine(text: string): string {
  return text.replace(/\t/g, ' ').replace(CONTROL, '').trim();
}

/** Columns a line takes on screen, escape sequences left out (wide characters count two). */
export function plainWidth(line: string): number {
  return displayWidth(line.replace(CONTROL, ''));
}

/** `text` cut to at most `width` terminal columns, with `…` when cut. */
export function fit(text: string, width: number): string {
  return fitWidth(text, width);
}

/** `text` padded with spaces (or cut) to exactly `width` columns. */
export function cell(text: string, width: number): string {
  return padWidth(text, width);
}

/** `m:ss`, or `h:mm:ss` from an hour on. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}
