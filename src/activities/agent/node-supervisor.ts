/**
 * The Node supervisor (bin/agent-supervisor.js), for hosts where no perl runs it: this worker
 * spawns it detached and talks to it over its IPC channel.
 */

import type { ChildProcess } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Launched, SpawnFn, SpawnOptions, SupervisorAnswer, SupervisorEnd } from './agent-process';

/** The Node supervisor; `bin/` sits three levels above both src/activities/agent and dist/activities/agent. */
export const SUPERVISOR_PATH = path.resolve(__dirname, '..', '..', '..', 'bin', 'agent-supervisor.js');

function startEvent(child: ChildProcess): Promise<Error | null> {
  return new Promise((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (error) => resolve(error));
  });
}

/** Starts the Node supervisor detached, stdout and stderr on the attempt log, an IPC channel. */
async function startNodeSupervisor(spawn: SpawnFn, logPath: string): Promise<ChildProcess> {
  const { O_WRONLY, O_CREAT, O_APPEND, O_NOFOLLOW } = fsConstants; // never through a link (SPEC §8.4)
  const log = await open(logPath, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW, 0o644);
  let child: ChildProcess;
  try {
    // An empty environment: the agent's (NODE_OPTIONS, PERL5OPT, ...) is for the agent only.
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
  return child;
}

/** The Node supervisor: the launch message and the answer over IPC. */
export async function launchWithNode(
  spawn: SpawnFn,
  argv: readonly string[],
  options: SpawnOptions,
): Promise<Launched> {
  const child = await startNodeSupervisor(spawn, options.logPath);
  const supervisorExit = new Promise<null>((resolve) => child.once('exit', () => resolve(null)));
  const answer = new Promise<SupervisorAnswer>((resolve) => child.once('message', resolve));
  child.send({
    argv,
    cwd: options.cwd,
    env: options.env,
    launchId: options.record.launchId,
    exitPath: options.record.exitPath,
    recordPath: options.recordPath,
    record: options.record,
    deadlineMs: options.deadlineMs,
    graceMs: options.graceMs,
    confinement: options.landlock === undefined ? 'none' : 'landlock',
  });
  // Registered at once: the supervisor may exit right after it answered.
  const ended = new Promise<SupervisorEnd>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve('reaped');
    else child.once('exit', () => resolve('reaped'));
  });
  return { answer: await Promise.race([answer, supervisorExit]), ended, detach: () => child.unref() };
}
