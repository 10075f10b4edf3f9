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

import type { ChildProcess, spawn as nodeSpawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, open, rm } from 'node:fs/promises';
import path from 'node:path';
import type { AttemptRecordTemplate } from './attempt-record';
import { adoptedAgent } from './adoption';
import { readAttemptRecord } from './attempt-record';
import { readAgentEnd, spawnErrorOf } from './exit-status';
import { SupervisorLauncher, type SupervisorEnd } from './supervisor-launcher';

export type SpawnFn = typeof nodeSpawn;

/** The Node supervisor; `bin/` sits two levels above both src/activities and dist/activities. */
export const SUPERVISOR_PATH = path.resolve(__dirname, '..', '..', 'bin', 'agent-supervisor.js');
/** The Perl supervisor, used whenever this host can run it. */
export const PERL_SUPERVISOR_PATH = path.resolve(__dirname, '..', '..', 'bin', 'agent-supervisor.pl');

/** Which supervisor starts the agent. */
export type SupervisorKind = 'perl' | 'node';

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
  /** @default 'perl' where this host has a usable perl, else 'node' */
  readonly supervisor?: SupervisorKind;
}

/** The supervisor's answer to the launch. */
type SupervisorAnswer =
  | { readonly type: 'started'; readonly pid: number }
  | { readonly type: 'spawn-error'; readonly error: { code: string | null; message: string } }
  | { readonly type: 'launch-failed'; readonly message: string };

/**
 * Linux syscall numbers the Perl supervisor calls directly: it loads no XS module (POSIX alone
 * would cost 20 ms of start-up, more than everything else it does). Other architectures use Node.
 */
const PERL_SYSCALLS: Readonly<Partial<Record<string, { setsid: number; gettimeofday: number }>>> = {
  x64: { setsid: 112, gettimeofday: 96 },
  arm64: { setsid: 157, gettimeofday: 169 },
};

interface PerlSupervisor {
  readonly perl: string;
  readonly syscalls: { setsid: number; gettimeofday: number };
}

let perlProbe: Promise<PerlSupervisor | null> | undefined;

/** The perl that runs the Perl supervisor on this host, found once per process; null when none does. */
export function perlSupervisor(): Promise<PerlSupervisor | null> {
  perlProbe ??= probePerl();
  return perlProbe;
}

async function probePerl(): Promise<PerlSupervisor | null> {
  const syscalls = PERL_SYSCALLS[process.arch];
  if (process.platform !== 'linux' || syscalls === undefined) return null;
  const directories = ['/usr/bin', '/bin', ...(process.env.PATH ?? '').split(path.delimiter)];
  for (const directory of new Set(directories.filter((entry) => path.isAbsolute(entry)))) {
    const perl = path.join(directory, 'perl');
    const runs = await access(perl, fsConstants.X_OK).then(
      // It must compile the supervisor, as the supervisor will run: with an empty environment.
      () =>
        new Promise<boolean>((resolve) => {
          execFile(perl, ['-c', PERL_SUPERVISOR_PATH], { env: {}, cwd: '/' }, (error) =>
            resolve(error === null),
          );
        }),
      () => false,
    );
    if (runs) return { perl, syscalls };
  }
  return null;
}

/**
 * The Perl supervisor's stdin: NUL-separated fields (see bin/agent-supervisor.pl), or null when a
 * field holds a NUL, which only the Node supervisor reports as Node does (ERR_INVALID_ARG_VALUE).
 */
export function perlSpec(
  syscalls: PerlSupervisor['syscalls'],
  argv: readonly string[],
  options: SpawnOptions,
): Buffer | null {
  const { record } = options;
  const recordJson = JSON.stringify(record, null, 2);
  const exitHead = JSON.stringify({ version: 1, launchId: record.launchId }, null, 2);
  const env = Object.entries(options.env).map(([name, value]) => `${name}=${value}`);
  const fields = [
    'agent-fanout-supervisor/1',
    options.recordPath,
    recordJson.slice(0, recordJson.lastIndexOf('\n}')),
    record.exitPath,
    exitHead.slice(0, exitHead.lastIndexOf('\n}')),
    String(options.deadlineMs),
    String(options.graceMs),
    String(syscalls.setsid),
    String(syscalls.gettimeofday),
    options.cwd,
    String(argv.length),
    ...argv,
    String(env.length),
    ...env,
    'end',
  ];
  return fields.some((field) => field.includes('\0')) ? null : Buffer.from(fields.join('\0'));
}

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

/** A launched supervisor: its answer, its end, and how to stop waiting for it. */
interface Launched {
  readonly answer: SupervisorAnswer | null;
  readonly ended: Promise<SupervisorEnd>;
  readonly detach: () => void;
}

/** The Node supervisor: the launch message and the answer over IPC. */
async function launchWithNode(
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
  });
  // Registered at once: the supervisor may exit right after it answered.
  const ended = new Promise<SupervisorEnd>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve('reaped');
    else child.once('exit', () => resolve('reaped'));
  });
  return { answer: await Promise.race([answer, supervisorExit]), ended, detach: () => child.unref() };
}

const launchers = new WeakMap<SpawnFn, SupervisorLauncher>();

/** The Perl supervisor, forked by this worker's launcher: the spec in, one answer line back. */
async function launchWithPerl(
  spawn: SpawnFn,
  perl: PerlSupervisor,
  spec: Buffer,
  options: SpawnOptions,
): Promise<Launched> {
  let launcher = launchers.get(spawn);
  if (launcher === undefined) {
    launcher = new SupervisorLauncher(spawn, perl.perl, PERL_SUPERVISOR_PATH, perl.syscalls.setsid);
    launchers.set(spawn, launcher);
  }
  const launch = launcher.launch(options.logPath, spec);
  const line = await launch.answer;
  return {
    answer: line === null ? null : perlAnswer(line),
    ended: launch.ended,
    detach: () => launch.release(),
  };
}

/** This worker's supervisor launcher's pid, once it started one (tests and diagnostics). */
export function launcherPid(spawn: SpawnFn): number | undefined {
  return launchers.get(spawn)?.pid;
}

function perlAnswer(line: string): SupervisorAnswer | null {
  const space = line.indexOf(' ');
  const [word, rest] = space < 0 ? [line, ''] : [line.slice(0, space), line.slice(space + 1)];
  try {
    if (word === 'started' && /^\d+$/.test(rest)) return { type: 'started', pid: Number(rest) };
    if (word === 'spawn-error') {
      return { type: 'spawn-error', error: JSON.parse(rest) as { code: string | null; message: string } };
    }
    if (word === 'launch-failed') return { type: 'launch-failed', message: JSON.parse(rest) as string };
  } catch {
    // an answer cut short: the supervisor died while it answered
  }
  return null;
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
  const perl = options.supervisor === 'node' ? null : await perlSupervisor();
  if (options.supervisor === 'perl' && perl === null)
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
    return end?.kind === 'exited' ? end.exitCode : null;
  });
  return {
    ok: true,
    agent: {
      pid: answer.pid,
      pgid: answer.pid,
      exited,
      detach: () => {
        detached = true;
        orphan?.detach();
        detach();
      },
    },
  };
}
