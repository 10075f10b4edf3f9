/**
 * Starts the agent through its supervisor, a small detached process: Perl's (bin/agent-supervisor.pl,
 * about 5 ms of CPU per launch, forked by one long-lived launcher: supervisor-launcher.ts) where the
 * host has a usable `perl`, else Node's (bin/agent-supervisor.js, about 100 ms: a Node process and a worker thread),
 * which this worker spawns itself. Both keep one contract. The agent
 * itself runs with its argv as given (no shell), cwd = repo, stdin = /dev/null, stdout and stderr
 * both on one append-mode descriptor of the attempt log, in a new session and process group that
 * it leads, so the whole group can be signalled and nothing waits on a pipe.
 *
 * Why a supervisor: an agent must be able to outlive the worker that started it (SPEC §4.4), and a
 * process that is not this worker's child cannot be waited on. The supervisor waits for the agent
 * and writes its exit status to `logs/attempt-<n>.exit.json`, so whichever worker follows the agent
 * later, or none at all, the status is not lost. It also writes the attempt record before the pid is
 * known here. Writing output straight into the file keeps every byte without passing it through a
 * worker, and the agent keeps writing its log when the worker dies (a pipe would break under it).
 *
 * The launch details (argv, environment, cwd) reach the supervisor over a pipe (Perl: the
 * launcher's stdin, NUL separated) or the IPC channel (Node), never through a file or the
 * supervisor's argv. The answer comes back the same way (Perl: the launcher's reply pipe, tagged);
 * the supervisor closes that channel once it has answered.
 */

import { rmSync } from 'node:fs';
import { adoptedAgent } from './adoption';
import type { SpawnFn, SpawnOptions, SpawnOutcome } from './agent-process';
import { readAttemptRecord } from './attempt-record';
import { readAgentEnd, spawnErrorOf } from './exit-status';
import { launchWithNode } from './node-supervisor';
import { launchWithPerl, perlSpec, perlSupervisor } from './perl-supervisor';

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
  rmSync(exitPath, { force: true });
  const perl = options.supervisor === 'node' ? null : await perlSupervisor();
  if ((options.supervisor === 'perl' || options.landlock !== undefined) && perl === null)
    throw new Error('no perl on this host runs the supervisor');
  const spec = perl === null ? null : perlSpec(perl.syscalls, argv, options);
  const { answer, ended, detach } =
    perl === null || spec === null
      ? await launchWithNode(spawn, argv, options)
      : await launchWithPerl(spawn, perl, spec, options);
  if (answer === null) throw new Error('the agent supervisor exited before it started the agent');
  if (answer.type === 'spawn-error')
    return { ok: false, error: spawnErrorOf({ kind: 'spawn-error', ...answer.error }) };
  if (answer.type === 'launch-failed') throw new Error(`agent launch failed: ${answer.message}`);
  let orphan: { detach(): void } | undefined;
  let detached = false;
  let swept: { strayProcesses: number | null } | undefined;
  const exited = ended.then(async (how): Promise<number | null> => {
    if (how === 'launcher-gone' && !detached) {
      // Nobody reaps this supervisor for us any more: follow the agent by its record.
      const record = await readAttemptRecord(options.recordPath);
      if (record !== null && !detached) {
        const followed = adoptedAgent(record);
        orphan = followed;
        return followed.exited;
      }
    }
    const end = await readAgentEnd(exitPath, launchId);
    // Reaped: the supervisor is gone, so it finished its sweep after it wrote the exit file.
    if (how === 'reaped') swept = { strayProcesses: end?.kind === 'exited' ? end.strayProcesses : null };
    return end?.kind === 'exited' ? end.exitCode : null;
  });
  return {
    ok: true,
    agent: {
      pid: answer.pid,
      pgid: answer.pid,
      exited,
      sweptStrays: () => swept,
      detach: () => {
        detached = true;
        orphan?.detach();
        detach();
      },
    },
  };
}
