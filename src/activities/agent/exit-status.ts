/**
 * `logs/attempt-<n>.exit.json`: how an agent ended, written by its supervisor
 * (bin/agent-supervisor.pl, or .js where no perl runs) whether or not a worker was watching. An
 * agent this worker did not start is not its child and cannot be waited on; this file is how its
 * status is read, also when the agent finished while no worker was running at all.
 */

import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';

/** The agent exited or died by a signal. */
export interface AgentExitStatus {
  readonly kind: 'exited';
  /** SPEC §4.2: the exit code, or minus the signal number for a signal death (SIGKILL: -9). */
  readonly exitCode: number;
  /** The supervisor stopped the agent because it ran past its deadline with no worker following it. */
  readonly stoppedAtDeadline: boolean;
  /** Wall-clock ms the supervisor saw the agent end; null when not recorded. */
  readonly endedAtMs: number | null;
  /** What the agent left running when its leader exited (SPEC §8.3); null when not counted. */
  readonly strayProcesses: number | null;
}

/** The agent binary could not be started; `code` is the OS error code (ENOENT, EACCES, …). */
export interface AgentSpawnError {
  readonly kind: 'spawn-error';
  readonly code: string | null;
  /** The runtime's description, e.g. `spawn /repo/agent EACCES`. */
  readonly message: string;
}

export type AgentEnd = AgentExitStatus | AgentSpawnError;

/** The file as the supervisor writes it. */
interface ExitFile {
  readonly version: 1;
  readonly launchId: string;
  readonly code?: number | null;
  /** Node's name of the signal, or its number when Node has none (real-time signals: 34..64). */
  readonly signal?: NodeJS.Signals | number | null;
  readonly stoppedBy?: 'deadline' | null;
  readonly endedAtMs?: number;
  readonly strayProcesses?: number;
  readonly spawnError?: { readonly code: string | null; readonly message: string };
}

/** Exit status as SPEC §4.2 reports it. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | number | null): number {
  if (code !== null) return code;
  const number =
    typeof signal === 'number' ? signal : signal === null ? undefined : osConstants.signals[signal];
  return number === undefined ? 1 : -number;
}

/**
 * The end of the launch `launchId`, or null when the file is missing, unreadable or belongs to
 * another launch (an earlier run of the same unit and attempt number).
 */
export function readAgentEnd(path: string, launchId: string): Promise<AgentEnd | null> {
  return Promise.resolve(agentEndIn(path, launchId));
}

function agentEndIn(path: string, launchId: string): AgentEnd | null {
  let file: ExitFile;
  try {
    file = JSON.parse(readExitFile(path)) as ExitFile;
  } catch {
    return null;
  }
  if (file.launchId !== launchId) return null;
  if (file.spawnError !== undefined) {
    return { kind: 'spawn-error', code: file.spawnError.code, message: file.spawnError.message };
  }
  return {
    kind: 'exited',
    exitCode: exitCodeOf(file.code ?? null, file.signal ?? null),
    stoppedAtDeadline: file.stoppedBy === 'deadline',
    endedAtMs: typeof file.endedAtMs === 'number' ? file.endedAtMs : null,
    strayProcesses: typeof file.strayProcesses === 'number' ? file.strayProcesses : null,
  };
}

/** The Node error a spawn error stands for, as `classifyOutcome` expects it. */
export function spawnErrorOf(end: AgentSpawnError): NodeJS.ErrnoException {
  return Object.assign(new Error(end.message), end.code === null ? {} : { code: end.code });
}

/** An exit file is a few hundred bytes; anything far larger is not the supervisor's. */
const EXIT_FILE_MAX_BYTES = 64 * 1024;

/**
 * Read synchronously, like the other small files of a launch: a thread-pool hop costs more than
 * the read. O_NONBLOCK, so a FIFO left in the file's place fails instead of blocking the worker.
 */
function readExitFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > EXIT_FILE_MAX_BYTES) throw new Error(`${path} is no exit file`);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
