/**
 * Starts the agent: argv as given (no shell), cwd = repo, stdin = /dev/null, stdout and stderr
 * both on one append-mode descriptor of the attempt log, in a new session and process group
 * (`detached`), so the whole group can be signalled and nothing waits on a pipe.
 *
 * Writing straight into the file keeps every byte without passing it through this process, and
 * the agent keeps writing its log even if this worker dies (a pipe would break under it).
 */

import type { ChildProcess, spawn as nodeSpawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { open } from 'node:fs/promises';

export type SpawnFn = typeof nodeSpawn;

/** A running agent this worker started (or, later, adopted). */
export interface AgentProcess {
  readonly pid: number;
  /** Equal to `pid`: the agent leads its own group. */
  readonly pgid: number;
  /** The leader's exit code; a signal death is minus the signal number (SIGKILL: -9). Never rejects. */
  readonly exited: Promise<number>;
}

export type SpawnOutcome =
  | { readonly ok: true; readonly agent: AgentProcess }
  | { readonly ok: false; readonly error: NodeJS.ErrnoException };

export interface SpawnOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly logPath: string;
}

/** Exit status as SPEC §4.2 reports it. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal === null ? undefined : osConstants.signals[signal];
  return number === undefined ? 1 : -number;
}

function startEvent(child: ChildProcess): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (error) => resolve(error));
  });
}

export async function spawnAgent(
  spawn: SpawnFn,
  argv: readonly string[],
  options: SpawnOptions,
): Promise<SpawnOutcome> {
  const [binary, ...args] = argv;
  if (binary === undefined || binary === '') {
    return { ok: false, error: Object.assign(new Error('empty command'), { code: 'ENOENT' }) };
  }
  const log = await open(options.logPath, 'a');
  try {
    let child: ChildProcess;
    try {
      child = spawn(binary, args, {
        cwd: options.cwd,
        env: options.env,
        detached: true,
        stdio: ['ignore', log.fd, log.fd],
      });
    } catch (error) {
      return { ok: false, error: error as NodeJS.ErrnoException }; // e.g. a NUL byte in an argument
    }
    const exited = new Promise<number>((resolve) => {
      child.once('exit', (code, signal) => resolve(exitCodeOf(code, signal)));
    });
    const failed = await startEvent(child);
    if (failed !== null || child.pid === undefined) {
      return { ok: false, error: failed ?? new Error('no pid') };
    }
    child.on('error', () => undefined); // later errors (a failed kill) must not crash the worker
    return { ok: true, agent: { pid: child.pid, pgid: child.pid, exited } };
  } finally {
    await log.close(); // the child holds its own copies
  }
}
