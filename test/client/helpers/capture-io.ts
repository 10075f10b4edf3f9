/** A CommandIo whose output the test reads back. */
import type { CommandIo } from '../../../src/client/io';

export interface CapturedIo {
  readonly io: CommandIo;
  stdout(): string;
  stderr(): string;
}

export function captureIo(cwd: string = process.cwd(), env: Record<string, string> = {}): CapturedIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (text: string) => out.push(text) },
      stderr: { write: (text: string) => err.push(text) },
      env,
      cwd,
    },
    stdout: () => out.join(''),
    stderr: () => err.join(''),
  };
}
