/**
 * Follows an attempt's log file from the side: how many bytes the agent wrote, when it last wrote,
 * and its last few non-blank lines, in constant memory whatever the agent prints.
 *
 * The agent writes its merged stdout and stderr straight into the log (spawn-agent.ts); this
 * module only reads the file. That also works for an agent this worker did not start (adoption
 * after a worker crash): follow the same file from a saved offset.
 */

import { closeSync, constants, fstatSync, openSync, read, readSync } from 'node:fs';
import { promisify } from 'node:util';

/** How many non-blank lines a heartbeat shows. */
export const TAIL_LINES = 5;
/** Longest line, in characters, quoted in a text (SPEC §7.5). */
export const LINE_CUT = 200;
/** Bytes kept of the head of one line: enough for any display line after stripping. */
const LINE_HEAD_BYTES = 16 * 1024;
const READ_CHUNK_BYTES = 64 * 1024;
/**
 * One poll reads up to this much synchronously (a heartbeat's worth of output is far less), the
 * rest in thread-pool reads, so an agent that floods its log never holds the worker up.
 */
const SYNC_READ_BYTES = 1024 * 1024;
const readChunk = promisify(read);

/* eslint-disable no-control-regex -- matching control characters is the point here */
const CONTROL_SEQUENCES = new RegExp(
  [
    '\\x1b\\][\\s\\S]*?(?:\\x07|\\x1b\\\\|$)', // OSC ... BEL / ST (or cut off at the end)
    '\\x1b[PX^_][\\s\\S]*?(?:\\x1b\\\\|$)', // DCS, SOS, PM, APC ... ST
    '\\x1b\\[[0-?]*[ -/]*[@-~]', // CSI
    '\\x9b[0-?]*[ -/]*[@-~]', // 8-bit CSI
    '\\x1b[ -/]*[0-~]', // two-character escapes, charset selection
  ].join('|'),
  'g',
);
const CONTROL_CHARACTERS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;
/* eslint-enable no-control-regex */

/** Removes terminal control sequences and control characters (tabs stay). */
export function stripControlSequences(text: string): string {
  return text.replace(CONTROL_SEQUENCES, '').replace(CONTROL_CHARACTERS, '');
}

/** Cuts to {@link LINE_CUT} characters (code points) plus `…` when longer. */
export function cutLine(text: string): string {
  if (text.length <= LINE_CUT) return text; // UTF-16 units never undercount code points
  const chars = Array.from(text);
  return chars.length > LINE_CUT ? `${chars.slice(0, LINE_CUT).join('')}…` : text;
}

/** One raw output line as texts quote it: stripped, trimmed, cut; empty when blank. */
export function displayLine(raw: string): string {
  return cutLine(stripControlSequences(raw).trim());
}

/** Splits a byte stream into lines and remembers the last few non-blank ones. */
export class LineTracker {
  private head: Buffer[] = [];
  private headBytes = 0;
  private readonly recent: string[] = [];

  constructor(private readonly keep: number = TAIL_LINES) {}

  feed(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline < 0) {
        this.append(chunk.subarray(start));
        return;
      }
      this.append(chunk.subarray(start, newline));
      this.remember(this.takeLine());
      start = newline + 1;
    }
  }

  /** The last non-blank lines, oldest first, the unfinished last line included. */
  lastLines(): string[] {
    const partial = this.currentLine();
    return partial ? [...this.recent, partial].slice(-this.keep) : [...this.recent];
  }

  /** The last non-blank line, or null when there is none. */
  lastLine(): string | null {
    return this.lastLines().at(-1) ?? null;
  }

  private append(bytes: Buffer): void {
    const room = LINE_HEAD_BYTES - this.headBytes;
    if (room <= 0 || bytes.length === 0) return;
    // Copy: the caller reuses its read buffer.
    const kept = Buffer.from(bytes.subarray(0, room));
    this.head.push(kept);
    this.headBytes += kept.length;
  }

  private currentLine(): string {
    return this.headBytes === 0 ? '' : displayLine(Buffer.concat(this.head).toString('utf8'));
  }

  private takeLine(): string {
    const line = this.currentLine();
    this.head = [];
    this.headBytes = 0;
    return line;
  }

  private remember(line: string): void {
    if (!line) return;
    this.recent.push(line);
    if (this.recent.length > this.keep) this.recent.shift();
  }
}

/**
 * Reads what the agent appends to its log, a chunk at a time. The descriptor is opened and
 * checked synchronously (O_NONBLOCK: a FIFO in the log's place cannot block the open), which
 * spares each heartbeat a thread-pool round trip.
 */
export class LogTail {
  private readonly tracker = new LineTracker();
  private readonly buffer = Buffer.alloc(READ_CHUNK_BYTES);
  private closed = false;

  private constructor(
    private readonly fd: number,
    private readonly startOffset: number,
    private offset: number,
  ) {}

  /** Opens `path` (which must exist) and follows it from `startOffset` (default: its end now). */
  static open(path: string, startOffset?: number): Promise<LogTail> {
    // A throw in the executor (ENOENT, EACCES) rejects the promise, as an async open would.
    return new Promise((resolve) => {
      const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
      try {
        const from = startOffset ?? fstatSync(fd).size;
        resolve(new LogTail(fd, from, from));
      } catch (error) {
        closeSync(fd);
        throw error;
      }
    });
  }

  /** Bytes the agent wrote since the start offset. */
  get bytes(): number {
    return this.offset - this.startOffset;
  }

  /** Reads everything appended since the last call; true when something was. */
  async poll(): Promise<boolean> {
    const { size } = fstatSync(this.fd);
    const before = this.offset;
    while (this.offset < size) {
      const length = Math.min(this.buffer.length, size - this.offset);
      const bytesRead =
        this.offset - before < SYNC_READ_BYTES
          ? readSync(this.fd, this.buffer, 0, length, this.offset)
          : (await readChunk(this.fd, this.buffer, 0, length, this.offset)).bytesRead;
      if (bytesRead === 0) break;
      this.tracker.feed(this.buffer.subarray(0, bytesRead));
      this.offset += bytesRead;
    }
    return this.offset > before;
  }

  lastLines(): string[] {
    return this.tracker.lastLines();
  }

  lastLine(): string | null {
    return this.tracker.lastLine();
  }

  /** Closes the descriptor once: a second close could hit another file that reused its number. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      closeSync(this.fd);
    }
    return Promise.resolve();
  }
}
