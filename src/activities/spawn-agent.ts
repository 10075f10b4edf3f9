/**
 * Starts the agent through its supervisor (bin/agent-supervisor.js), which this worker starts with
 * Node, detached, and talks to over an IPC channel. The agent itself runs with its argv as given (no
 * shell), cwd = repo, stdin = /dev/null, stdout and stderr both on one append-mode descriptor of the
 * attempt log, in a new session and process group that it leads, so the whole group can be
 * signalled and nothing waits on a pipe.
 *
 * Why a supervisor: an agent must be able to outlive the worker that started it (SPEC §4.4), and a
 * process that is not this worker's child cannot be waited on. The supervisor waits for the agent
 * and writes its exit status to `logs/attempt-<n>.exit.json`, so whichever worker follows the agent
 * later, or none at all, the status is not lost. It also writes the attempt record before the pid is
 * known here. Writing output straight into the file keeps every byte without passing it through a
 * worker, and the agent keeps writing its log when the worker dies (a pipe would break under it).
 */

import type { ChildProcess, spawn as nodeSpawn } from 'node:child_process';
import { open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { AttemptRecordTemplate } from './attempt-record';
import { readAgentEnd, spawnErrorOf } from './exit-status';

export type SpawnFn = typeof nodeSpawn;

/** The supervisor script; `bin/` sits two levels above both src/activities and dist/activities. */
export const SUPERVISOR_PATH = path.resolve(__dirname, '..', '..', 'bin', 'agent-supervisor.js');

/** A running agent this worker started or adopted. */
export interface AgentProcess {
  readonly pid: number;
  /** Equal to `pid`: the agent leads its own group. */
  readonly pgid: number;
  /**
   * The leader's exit code once it ended (a signal death is minus the signal number, SIGKILL: -9),
   * or null when its status was lost (its supervisor died without recording it). Never rejects.
   */
  readonly exited: Promise<number | null>;
  /** Stops waiting for the agent; it keeps running, for another worker to adopt. */
  detach(): void;
}

export type SpawnOutcome =
  | { readonly ok: true; readonly agent: AgentProcess }
  | { readonly ok: false; readonly error: NodeJS.ErrnoException };

export interface SpawnOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly logPath: string;
  readonly recordPath: string;
  readonly record: AttemptRecordTemplate;
  /** Wall-clock ms after which the supervisor stops an agent nobody stopped (a backstop only). */
  readonly deadlineMs: number;
  readonly graceMs: number;
}

/** The supervisor's answer to the launch message. */
type SupervisorAnswer =
  | { readonly type: 'started'; readonly pid: number }
  | { readonly type: 'spawn-error'; readonly error: { code: string | null; message: string } }
  | { readonly type: 'launch-failed'; readonly message: string };

function startEvent(child: ChildProcess): Promise<Error | null> {
  return new Promise((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (error) => resolve(error));
  });
}

/**
 * Starts the agent. A start failure of the agent (missing binary, not executable, …) is an
 * outcome; a failure of the supervisor itself is an infrastructure fault and is thrown.
 */
export async function spawnAgent(
  spawn: SpawnFn,
  argv: readonly string[],
  options: SpawnOptions,
): Promise<SpawnOutcome> {
  const binary = argv[0];
  if (binary === undefined || binary === '') {
    return { ok: false, error: Object.assign(new Error('empty command'), { code: 'ENOENT' }) };
  }
  const { exitPath, launchId } = options.record;
  await rm(exitPath, { force: true });
  const log = await open(options.logPath, 'a');
  let child: ChildProcess;
  try {
    // An empty environment: the agent's (NODE_OPTIONS included) is for the agent, not for Node here.
    child = spawn(process.execPath, [SUPERVISOR_PATH], {
      cwd: '/',
      env: {},
      detached: true,
      stdio: ['ignore', log.fd, log.fd, 'ipc'],
    });
    const failed = await startEvent(child);
    if (failed !== null) throw new Error(`could not start the agent supervisor: ${failed.message}`);
  } finally {
    await log.close(); // the supervisor holds its own copies
  }
  child.on('error', () => undefined); // a failed send to a supervisor that died is seen below
  const supervisorExit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const answer = new Promise<SupervisorAnswer>((resolve) => child.once('message', resolve));
  child.send({
    argv,
    cwd: options.cwd,
    env: options.env,
    launchId,
    exitPath,
    recordPath: options.recordPath,
    record: options.record,
    deadlineMs: options.deadlineMs,
    graceMs: options.graceMs,
  });
  const reply = await Promise.race([answer, supervisorExit.then(() => null)]);
  if (reply === null) throw new Error('the agent supervisor exited before it started the agent');
  if (reply.type === 'spawn-error')
    return { ok: false, error: spawnErrorOf({ kind: 'spawn-error', ...reply.error }) };
  if (reply.type === 'launch-failed') throw new Error(`agent launch failed: ${reply.message}`);
  const exited = supervisorExit.then(async () => {
    const end = await readAgentEnd(exitPath, launchId);
    return end?.kind === 'exited' ? end.exitCode : null;
  });
  return {
    ok: true,
    agent: {
      pid: reply.pid,
      pgid: reply.pid,
      exited,
      detach: () => child.unref(),
    },
  };
}
