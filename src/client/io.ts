/** What a command may touch of its process: passed in, so tests capture output and set env and cwd. */

export interface TextOutput {
  write(text: string): unknown;
}

export interface CommandIo {
  readonly stdout: TextOutput;
  readonly stderr: TextOutput;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative paths on the command line are resolved against this directory. */
  readonly cwd: string;
}

/** 0 succeeded; 1 failed or cancelled; 2 rejected plan or bad usage (SPEC §6); 70 a bug. */
export type ExitCode = number;
