/**
 * What the acceptance tests of many hosts (issue 17 "Done when", SPEC §10) share: a bare
 * repository as the remote, one work directory per host, a directory with no checkout for the
 * client, agents that log their start and end (with their working directory, which says their
 * host) into a file outside every repository, and `agent-fanout run --remote` as a real
 * subprocess started in that directory.
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FanoutResult } from '../../src/plan/types';
import { initGitRepo, gitIn, writeFiles } from './git-repo';
import { runCli, type CliRun } from './scenario-runner';
import { testServer } from './temporal';

const made: string[] = [];

/** One test's folders; `workdirs` are the hosts' `--workdir`s, `client` has no checkout. */
export interface HostsDirs {
  readonly dir: string;
  readonly remote: string;
  readonly client: string;
  readonly workdirs: Record<string, string>;
  /** Each agent appends `<unit> attempt=<n> start|end <ms> <cwd>` here. */
  readonly starts: string;
  readonly base: string;
}

/**
 * A bare remote whose `main` holds `files` (committed in a seed checkout that is then removed),
 * a work directory per host id, an empty client directory and the starts file.
 */
export function hostsTestDirs(
  label: string,
  hostIds: readonly string[],
  files: Record<string, string> = { 'README.md': 'a project\n' },
): HostsDirs {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), `fanout-hosts-${label}-`)));
  made.push(dir);
  const seed = path.join(dir, 'seed');
  mkdirSync(seed);
  writeFiles(seed, files);
  const base = initGitRepo(seed);
  const remote = path.join(dir, 'remote.git');
  gitIn(dir, ['clone', '--quiet', '--bare', seed, remote]);
  rmSync(seed, { recursive: true, force: true });
  const client = path.join(dir, 'client');
  mkdirSync(client);
  const workdirs: Record<string, string> = {};
  for (const hostId of hostIds) {
    workdirs[hostId] = path.join(dir, `workdir-${hostId}`);
    mkdirSync(workdirs[hostId]);
  }
  mkdirSync(path.join(dir, 'counts'));
  const starts = path.join(dir, 'counts', 'starts.txt');
  writeFileSync(starts, '');
  return { dir, remote, client, workdirs, starts, base };
}

/** Removes every folder the tests of this file made; for afterAll (after the reaping). */
export function removeHostsTestDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Agents that run in this work directory tick this many times instead (e.g. a host to crash). */
export interface SlowHost {
  readonly workdir: string;
  readonly ticks: number;
}

/**
 * The agent: logs its start, prints `tick <i>` every 0.5 s `ticks` times (`slow.ticks` in
 * `slow.workdir`), writes `src/<unit>/done.txt` (its working directory, so the commit says which
 * host made it) and the evidence `out.md`, and logs its end. No `{` (agent-fanout would take it
 * for a placeholder).
 */
export function hostAgent(starts: string, ticks: number, slow?: SlowHost): string[] {
  const stamp = (kind: string): string =>
    `echo "$FANOUT_UNIT_ID attempt=$FANOUT_ATTEMPT ${kind} $(date +%s%3N) $PWD" >> '${starts}'`;
  const count =
    slow === undefined
      ? `n=${ticks}`
      : `case "$PWD" in '${slow.workdir}'/*) n=${slow.ticks} ;; *) n=${ticks} ;; esac`;
  const script = [
    stamp('start'),
    count,
    'i=0; while [ $i -lt $n ]; do i=$((i+1)); echo "tick $i"; sleep 0.5; done',
    'mkdir -p "src/$FANOUT_UNIT_ID" && echo "$PWD" > "src/$FANOUT_UNIT_ID/done.txt"',
    'echo done > "$FANOUT_ARTIFACT_DIR/out.md"',
    stamp('end'),
  ].join('\n');
  return ['/bin/sh', '-c', script];
}

export interface AgentStamp {
  readonly unitId: string;
  readonly attempt: number;
  readonly kind: 'start' | 'end';
  readonly ms: number;
  /** The host whose work directory the agent ran in ('?' when none matches). */
  readonly host: string;
}

/** The starts file, each line with the host its working directory lies in. */
export function agentStamps(dirs: HostsDirs): AgentStamp[] {
  return readFileSync(dirs.starts, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [unitId = '', attempt = '', kind = '', ms = '', cwd = ''] = line.split(' ');
      const host =
        Object.entries(dirs.workdirs).find(([, workdir]) => cwd.startsWith(`${workdir}/`))?.[0] ?? '?';
      return {
        unitId,
        attempt: Number(attempt.replace('attempt=', '')),
        kind: kind as AgentStamp['kind'],
        ms: Number(ms),
        host,
      };
    });
}

/** The start stamps only. */
export function agentStarts(dirs: HostsDirs): AgentStamp[] {
  return agentStamps(dirs).filter((stamp) => stamp.kind === 'start');
}

export interface PlanUnit {
  readonly unit_id: string;
  readonly dependencies?: string[];
}

/**
 * Writes a plan (JSON) of `hostAgent` units, each owning `src/<unit>`. `confinement: off`: the
 * agents append to the starts file outside their working trees.
 */
export function writeHostsPlan(
  dirs: HostsDirs,
  name: string,
  units: readonly PlanUnit[],
  options: { ticks: number; maxWorkers: number; slow?: SlowHost; extra?: Record<string, unknown> },
): string {
  const file = path.join(dirs.dir, `${name}.json`);
  const plan = {
    name,
    max_workers: options.maxWorkers,
    confinement: 'off',
    agent: { command: hostAgent(dirs.starts, options.ticks, options.slow), timeout: '5m', grace: '1s' },
    ...options.extra,
    work_units: units.map((unit) => ({
      description: `Work on ${unit.unit_id}.`,
      allowed_directories: [`src/${unit.unit_id}`],
      dependencies: unit.dependencies ?? [],
      ...unit,
    })),
  };
  writeFileSync(file, JSON.stringify(plan, null, 2));
  return file;
}

/** 12 units in three levels of four: `a1..a4`, `b<i>` after `a<i>`, `c<i>` after every `b`. */
export function threeLevels(): PlanUnit[] {
  const level = (letter: string, dependencies: (i: number) => string[]): PlanUnit[] =>
    [1, 2, 3, 4].map((i) => ({ unit_id: `${letter}${i}`, dependencies: dependencies(i) }));
  return [
    ...level('a', () => []),
    ...level('b', (i) => [`a${i}`]),
    ...level('c', () => ['b1', 'b2', 'b3', 'b4']),
  ];
}

/** `--address --namespace` of the test server and the task queue. */
export function connectionArgs(taskQueue: string): string[] {
  const server = testServer();
  return ['--address', server.address, '--namespace', server.namespace, '--task-queue', taskQueue];
}

/** `agent-fanout <args>` in `cwd`, killed after `timeoutMs`; never with the test process's FANOUT_WORKTREES. */
export function cliIn(cwd: string, args: readonly string[], timeoutMs = 60_000): Promise<CliRun> {
  const env = { ...process.env };
  delete env.FANOUT_WORKTREES;
  return runCli(args, timeoutMs, env, cwd);
}

export interface RemoteRun {
  readonly run: CliRun;
  readonly result: FanoutResult;
}

/**
 * `agent-fanout run <plan> --workspace git --remote <remote> --id <id> --json` from the client
 * directory (no checkout), with `--host-loss-timeout` when given.
 */
export async function runRemote(
  dirs: HostsDirs,
  planFile: string,
  taskQueue: string,
  id: string,
  hostLossTimeout?: string,
): Promise<RemoteRun> {
  const args = ['run', planFile, '--workspace', 'git', '--remote', dirs.remote, '--id', id, '--json'];
  if (hostLossTimeout !== undefined) args.push('--host-loss-timeout', hostLossTimeout);
  const run = await cliIn(dirs.client, [...args, ...connectionArgs(taskQueue)], 240_000);
  try {
    return { run, result: JSON.parse(run.stdout) as FanoutResult };
  } catch {
    throw new Error(`no JSON result (exit ${run.code}):\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
}

/** A run id unique to this process and moment. */
export function hostsRunId(label: string): string {
  return `hosts-${label}-${process.pid}-${Date.now().toString(36)}`;
}

/** Exit code, status and each unit that did not succeed with its error: `{ 0, 'succeeded', {} }` when all went well. */
export function outcomeOf({ run, result }: RemoteRun): {
  code: number | null;
  status: string;
  failures: Record<string, string>;
} {
  const failures: Record<string, string> = {};
  for (const [unitId, unit] of Object.entries(result.units))
    if (unit.status !== 'SUCCEEDED') failures[unitId] = `${unit.status}: ${String(unit.error)}`;
  return { code: run.code, status: result.status, failures };
}

export const SUCCEEDED = { code: 0, status: 'succeeded', failures: {} };
