/** What a command may touch of its process: passed in, so tests capture output and set env and cwd. */

export interface TextOutput {
  write(text: string): unknown;
  /** Set on a terminal: `run` and `watch` then draw a live table instead of one line per event. */
  readonly isTTY?: boolean;
  readonly columns?: number;
  readonly rows?: number;
}

/** The part of `process.stdin` the Ctrl-C question needs. */
export interface KeyInput {
  readonly isTTY?: boolean;
  setRawMode?(raw: boolean): unknown;
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface CommandIo {
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative paths on the command line are resolved against this directory. */
  readonly cwd: string;
  /** Keys for the Ctrl-C question; absent or not a terminal means nobody can be asked. */
  readonly stdin?: KeyInput;
}

/** 0 succeeded; 1 failed or cancelled; 2 rejected plan or bad usage (SPEC §6); 70 a bug. */
export type ExitCode = number;
