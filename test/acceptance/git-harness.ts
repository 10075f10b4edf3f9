/**
 * What the acceptance tests of git workspaces (issue 15 "Done when") share: a source checkout and
 * a working-tree root per test (FANOUT_WORKTREES, so nothing goes to /var/tmp), plans whose agents
 * count their starts in a file outside every repository, `agent-fanout run --workspace git --json`
 * as a real subprocess, and a reaper for the agents whose attempt records live inside working trees.
 */
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordedProcessState, type AttemptRecord } from '../../src/activities/agent/attempt-record';
import type { FanoutResult } from '../../src/plan/types';
import { requireBuiltCli } from '../client/helpers/built-cli';
import { useFanoutWorker } from '../helpers/fanout-worker';
import { testServer } from '../helpers/temporal';
import { runCli, type CliRun } from '../helpers/scenario-runner';
import { initGitRepo, writeFiles } from '../helpers/git-repo';

const roots: string[] = [];
const testDirs: string[] = [];

/** One test's directories: the source checkout, the working-tree root, a counts dir outside both. */
export interface GitTestDirs {
  readonly dir: string;
  readonly repo: string;
  readonly worktrees: string;
  /** Each agent start appends `<unit> attempt=<n> run=<id>` here (see `countStart`). */
  readonly starts: string;
  /** The commit the checkout starts with. */
  readonly base: string;
}

/**
 * Makes the directories of one test, the checkout a git repository with `files` committed on
 * `main`, and points this process's FANOUT_WORKTREES (read by the in-process worker and inherited
 * by spawned workers) at the fresh working-tree root.
 */
export function gitTestDirs(
  label: string,
  files: Record<string, string> = { 'README.md': 'a project\n' },
): GitTestDirs {
  const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), `fanout-git-${label}-`)));
  const repo = path.join(dir, 'repo');
  const worktrees = path.join(dir, 'worktrees');
  const counts = path.join(dir, 'counts');
  for (const made of [repo, worktrees, counts]) mkdirSync(made);
  writeFiles(repo, files);
  const base = initGitRepo(repo);
  const starts = path.join(counts, 'starts.txt');
  writeFileSync(starts, '');
  process.env.FANOUT_WORKTREES = worktrees;
  roots.push(worktrees);
  testDirs.push(dir);
  return { dir, repo, worktrees, starts, base };
}

/** A shell command for the agent. No `{`: agent-fanout would take it for a placeholder. */
export function sh(script: string): string[] {
  return ['/bin/sh', '-c', script];
}

/** Shell text that appends `<unit> attempt=<n> run=<id>` to `starts`. */
export function countStart(starts: string): string {
  return `echo "$FANOUT_UNIT_ID attempt=$FANOUT_ATTEMPT run=$FANOUT_RUN_ID" >> '${starts}'`;
}

/** Shell text that writes the evidence file `out.md`. */
export const EVIDENCE = `echo done > "$FANOUT_ARTIFACT_DIR/out.md"`;

/** The lines of the starts file. */
export function startLines(dirs: GitTestDirs): string[] {
  return readFileSync(dirs.starts, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}

export interface UnitSpec {
  readonly unit_id: string;
  readonly allowed_directories: string[];
  /** Default: the plan's `agent.command`. */
  readonly command?: string[];
  readonly dependencies?: string[];
  readonly description?: string;
  readonly retry?: Record<string, unknown>;
}

/** Writes a plan (JSON) next to the checkout and returns its path. */
export function writePlan(
  dirs: GitTestDirs,
  name: string,
  units: readonly UnitSpec[],
  extra: Record<string, unknown> = {},
): string {
  const file = path.join(dirs.dir, `${name}.json`);
  const workUnits = units.map((unit) => ({ description: `Work on ${unit.unit_id}.`, ...unit }));
  writeFileSync(file, JSON.stringify({ name, confinement: 'off', ...extra, work_units: workUnits }, null, 2));
  return file;
}

export interface GitRun {
  readonly run: CliRun;
  readonly result: FanoutResult;
}

/** The JSON result of a finished CLI run; throws with its output when stdout is not one. */
export function parseResult(run: CliRun): FanoutResult {
  try {
    return JSON.parse(run.stdout) as FanoutResult;
  } catch {
    throw new Error(`no JSON result (exit ${run.code}):\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
}

export function connectionArgs(taskQueue: string): string[] {
  const server = testServer();
  return ['--address', server.address, '--namespace', server.namespace, '--task-queue', taskQueue];
}

/** `agent-fanout run <plan> --repo <checkout> --workspace git --id <id> --json` and its result. */
export async function runGit(
  dirs: GitTestDirs,
  planFile: string,
  taskQueue: string,
  id: string,
  extraArgs: readonly string[] = [],
): Promise<GitRun> {
  const args = ['run', planFile, '--repo', dirs.repo, '--workspace', 'git', '--id', id, '--json'];
  const run = await runCli([...args, ...extraArgs, ...connectionArgs(taskQueue)], 240_000);
  return { run, result: parseResult(run) };
}

/** A run id unique to this process and moment. */
export function runId(label: string): string {
  return `git-${label}-${process.pid}-${Date.now().toString(36)}`;
}

/** The text of `name` in the evidence copy `<repo>/.agent/runs/<id>/<unit>/` (any depth), or undefined. */
export function evidenceCopy(repo: string, id: string, unitId: string, name: string): string | undefined {
  const walk = (dir: string): string | undefined => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isFile() && entry.name === name) return readFileSync(full, 'utf8');
      const below = entry.isDirectory() ? walk(full) : undefined;
      if (below !== undefined) return below;
    }
    return undefined;
  };
  return walk(path.join(repo, '.agent', 'runs', id, unitId));
}

/** Attempt records (`.agent/workers/<unit>/logs/attempt-<n>.json`) anywhere under `root`. */
export function attemptRecordsUnder(root: string, maxDepth = 10): AttemptRecord[] {
  const records: AttemptRecord[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isFile() && /^attempt-\d+\.json$/.test(entry.name) && dir.endsWith('/logs')) {
        try {
          records.push(JSON.parse(readFileSync(full, 'utf8')) as AttemptRecord);
        } catch {
          // being written
        }
      } else if (entry.isDirectory() && entry.name !== '.git' && depth < maxDepth) {
        walk(full, depth + 1);
      }
    }
  };
  walk(root, 0);
  return records;
}

async function killRecorded(pid: number, ticks: string | null, record: AttemptRecord): Promise<void> {
  if ((await recordedProcessState(pid, ticks, record)) !== 'alive') return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // gone meanwhile
  }
}

/** SIGKILLs every agent and supervisor group recorded in any working tree a test made; for afterEach. */
export async function reapGitAgents(): Promise<void> {
  for (const root of roots) {
    for (const record of attemptRecordsUnder(root)) {
      await killRecorded(record.supervisorPid, record.supervisorStartTicks, record);
      await killRecorded(record.pid, record.processStartTicks, record);
    }
  }
}

/** Each unit's agent log (first attempt found), read through the attempt records under `root`. */
export function agentLogsUnder(root: string): Map<string, string> {
  const logs = new Map<string, string>();
  for (const record of attemptRecordsUnder(root)) {
    const unitId = /\/([^/]+)\/logs\/attempt-\d+\.log$/.exec(record.logPath)?.[1] ?? '?';
    try {
      logs.set(unitId, readFileSync(record.logPath, 'utf8'));
    } catch {
      // not written yet
    }
  }
  return logs;
}

/** Reaps what is left and deletes every directory the tests of this file made; for afterAll. */
export async function removeGitTestDirs(): Promise<void> {
  await reapGitAgents();
  for (const dir of testDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  roots.splice(0);
}

/**
 * A git acceptance file's frame: its own worker on the test server, the built CLI, every agent
 * reaped after each test and every folder removed at the end. Returns the worker fixture.
 */
export function useGitAcceptance(name: string): ReturnType<typeof useFanoutWorker> {
  const fixture = useFanoutWorker(name);
  beforeAll(() => requireBuiltCli());
  afterEach(reapGitAgents);
  afterAll(removeGitTestDirs);
  return fixture;
}
