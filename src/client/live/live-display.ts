/**
 * Draws frames in place on a terminal: the previous frame is overwritten (cursor up, clear each
 * line, clear below), at most {@link REDRAW_MS} apart, and only when the frame changed. Frames
 * never exceed the terminal (see frame.ts), so the cursor movement stays exact.
 */
import type { TextOutput } from '../io';
import { ansi, plainWidth } from './ansi';

/** About five redraws a second at most. */
export const REDRAW_MS = 200;

export interface TerminalOutput extends TextOutput {
  readonly columns?: number;
  readonly rows?: number;
}

export class LiveDisplay {
  /** Visible widths of the lines on screen, to know how far up the previous frame starts. */
  private drawnWidths: number[] = [];
  private drawnText = '';
  private timer: NodeJS.Timeout | undefined;
  private readonly restoreCursor = (): void => void this.output.write(ansi.showCursor);

  constructor(
    private readonly output: TerminalOutput,
    /** Builds the current frame for the given size; called on each tick. */
    private readonly frame: (size: { columns: number; rows: number }) => string[],
  ) {}

  start(): void {
    this.output.write(ansi.hideCursor);
    process.once('exit', this.restoreCursor);
    this.draw();
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
  }

  /** Stops redrawing; the last frame stays on screen. */
  pause(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.output.write(ansi.showCursor);
  }

  resume(): void {
    if (this.timer !== undefined) return;
    // Whatever was written below the frame (a prompt) becomes part of what is redrawn over.
    this.drawnWidths = [];
    this.drawnText = '';
    this.start();
  }

  /** Replaces the frame on screen with `lines` (any height), for good; output continues below. */
  finish(lines: readonly string[]): void {
    this.pause();
    this.write(lines, this.output.columns ?? 80);
    process.off('exit', this.restoreCursor);
  }

  draw(): void {
    const size = { columns: this.output.columns ?? 80, rows: this.output.rows ?? 24 };
    const lines = this.frame(size);
    if (lines.join('\n') === this.drawnText) return;
    this.write(lines, size.columns);
  }

  private write(lines: readonly string[], columns: number): void {
    const body = lines.map((line) => `${ansi.clearLine}${line}\n`).join('');
    this.output.write(`${ansi.up(this.screenLines(columns))}${body}${ansi.clearDown}`);
    this.drawnWidths = lines.map((line) => plainWidth(line));
    this.drawnText = lines.join('\n');
  }

  /** Screen lines the previous frame takes now: more than its lines if the terminal got narrower. */
  private screenLines(columns: number): number {
    return this.drawnWidths.reduce((sum, width) => sum + Math.max(1, Math.ceil(width / columns)), 0);
  }
}
