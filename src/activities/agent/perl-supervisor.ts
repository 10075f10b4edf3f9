/**
 * The Perl supervisor (bin/agent-supervisor.pl): whether this host can run it, the launch spec it
 * reads on its stdin, and launches through this worker's one launcher (supervisor-launcher.ts).
 */

import { execFile } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Launched, SpawnFn, SpawnOptions, SupervisorAnswer } from './agent-process';
import { SupervisorLauncher } from './supervisor-launcher';
import {
  CONTAINMENT_SYSCALLS,
  confinementFields,
  SUPERVISOR_SPEC_VERSION,
  openFlagsField,
  syscallsField,
} from '../containment/landlock-spec';
import type { ContainmentSyscalls } from '../containment/landlock-spec';

/** The Perl supervisor, used whenever this host can run it. */
export const PERL_SUPERVISOR_PATH = path.resolve(__dirname, '..', '..', '..', 'bin', 'agent-supervisor.pl');

/**
 * Linux syscall numbers the Perl supervisor calls directly: it loads no XS module (POSIX alone
 * would cost 20 ms of start-up, more than everything else it does). Other architectures use Node.
 */
const PERL_SYSCALLS: Readonly<Partial<Record<string, { setsid: number; gettimeofday: number }>>> = {
  x64: { setsid: 112, gettimeofday: 96 },
  arm64: { setsid: 157, gettimeofday: 169 },
};

export interface PerlSupervisor {
  readonly perl: string;
  readonly syscalls: { setsid: number; gettimeofday: number } & ContainmentSyscalls;
}

let perlProbe: Promise<PerlSupervisor | null> | undefined;

/** The perl that runs the Perl supervisor on this host, found once per process; null when none does. */
export function perlSupervisor(): Promise<PerlSupervisor | null> {
  perlProbe ??= probePerl();
  return perlProbe;
}

async function probePerl(): Promise<PerlSupervisor | null> {
  const base = PERL_SYSCALLS[process.arch];
  const containment = CONTAINMENT_SYSCALLS[process.arch];
  if (process.platform !== 'linux' || base === undefined || containment === undefined) return null;
  const syscalls = { ...base, ...containment };
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
    SUPERVISOR_SPEC_VERSION,
    options.recordPath,
    recordJson.slice(0, recordJson.lastIndexOf('\n}')),
    record.exitPath,
    exitHead.slice(0, exitHead.lastIndexOf('\n}')),
    String(options.deadlineMs),
    String(options.graceMs),
    syscallsField(syscalls),
    openFlagsField(),
    options.cwd,
    ...confinementFields(options.landlock),
    String(argv.length),
    ...argv,
    String(env.length),
    ...env,
    'end',
  ];
  return fields.some((field) => field.includes('\0')) ? null : Buffer.from(fields.join('\0'));
}

const launchers = new WeakMap<SpawnFn, SupervisorLauncher>();

/** The Perl supervisor, forked by this worker's launcher: the spec in, one answer line back. */
export async function launchWithPerl(
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
