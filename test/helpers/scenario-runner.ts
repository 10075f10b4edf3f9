/**
 * Runs one acceptance scenario (test/fixtures/scenarios, README §1) end to end: a fresh repo
 * directory, the plan written outside it, `agent-fanout run <plan> --repo R --json` as a real
 * subprocess against the real server, then every check of README §3.
 */
import { spawn } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ScenarioEvent, ScenarioUnitExpectation } from './scenario-checks';
import { checkConstraint, checkEventList, checkInvariants, checkUnits, keptEvents } from './scenario-checks';
import { checkFiles, checkPidsDead, exists, type ScenarioFiles } from './scenario-files';
import { checkGitScenario, type GitScenarioResult } from './scenario-git';
import { checkRemoteScenario, scenarioRemote, type ScenarioHosts } from './hosts-scenario';
import { initGitRepo } from './git-repo';

export { checkFiles };

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
export const SCENARIO_DIR = path.join(PROJECT_ROOT, 'test', 'fixtures', 'scenarios');
export const FAKE_AGENT = path.join(PROJECT_ROOT, 'test', 'fixtures', 'fake-agent');
export const CLI = path.join(PROJECT_ROOT, 'bin', 'agent-fanout.js');

export interface Scenario {
  readonly file: string;
  readonly name: string;
  readonly setup?: { dirs?: string[]; files?: Record<string, string>; symlinks?: Record<string, string> };
  readonly plan?: Record<string, unknown>;
  readonly plan_yaml?: string;
  readonly timeout_s?: number;
  readonly expect: {
    readonly exit_code: number;
    readonly status: string;
    readonly events?: ScenarioEvent[];
    readonly event_constraints?: string[];
    readonly units?: Record<string, ScenarioUnitExpectation>;
    readonly error_contains?: string;
    readonly files?: ScenarioFiles;
    readonly pids_dead?: string[];
  };
}

export function loadScenarios(): Scenario[] {
  return readdirSync(SCENARIO_DIR)
    .filter((file) => /^\d+-.*\.json$/.test(file))
    .sort()
    .map((file) => ({
      file,
      ...(JSON.parse(readFileSync(path.join(SCENARIO_DIR, file), 'utf8')) as Omit<Scenario, 'file'>),
    }));
}

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(
  args: readonly string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
  cwd?: string,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * Writes the scenario's plan into `directory` with `{fake}` substituted as the scenarios README
 * says: whole command elements in a JSON plan, every occurrence in a YAML plan. Returns its path.
 */
export function writeScenarioPlan(scenario: Scenario, directory: string, baseName = 'plan'): string {
  const base = path.join(directory, baseName);
  if (scenario.plan_yaml !== undefined) {
    writeFileSync(`${base}.yaml`, withConfinementOff(scenario.plan_yaml.split('{fake}').join(FAKE_AGENT)));
    return `${base}.yaml`;
  }
  const swap = (command: unknown): unknown =>
    Array.isArray(command)
      ? (command as unknown[]).map((arg) => (arg === '{fake}' ? FAKE_AGENT : arg))
      : command;
  const plan = structuredClone(scenario.plan ?? {}) as {
    agent?: { command?: unknown };
    work_units?: { command?: unknown }[];
  };
  if (plan.agent?.command !== undefined) plan.agent.command = swap(plan.agent.command);
  for (const unit of plan.work_units ?? []) if (unit.command !== undefined) unit.command = swap(unit.command);
  const isObject = typeof plan === 'object' && plan !== null && !Array.isArray(plan);
  const written = isObject && !('confinement' in plan) ? { ...plan, confinement: 'off' } : plan;
  writeFileSync(`${base}.json`, JSON.stringify(written, null, 2));
  return `${base}.json`;
}

/**
 * README §1.2: these scenarios test SPEC §1–§7, where agents may write anywhere in R, so a YAML
 * plan with a top-level `work_units:` line and no `confinement` gets `confinement: off` last.
 */
function withConfinementOff(yaml: string): string {
  if (!/^work_units:/m.test(yaml) || /^confinement:/m.test(yaml)) return yaml;
  return `${yaml}${yaml.endsWith('\n') ? '' : '\n'}confinement: off\n`;
}

/** Makes R and the plan file (outside R); returns both. */
export function prepareScenario(scenario: Scenario): { repo: string; planFile: string } {
  const base = mkdtempSync(path.join(os.tmpdir(), 'fanout-scenario-'));
  const repo = realpathSync(mkdtempSync(path.join(base, 'repo-')));
  for (const dir of scenario.setup?.dirs ?? []) mkdirSync(path.join(repo, dir), { recursive: true });
  for (const [file, content] of Object.entries(scenario.setup?.files ?? {})) {
    mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
    writeFileSync(path.join(repo, file), content);
  }
  for (const [link, target] of Object.entries(scenario.setup?.symlinks ?? {})) {
    mkdirSync(path.dirname(path.join(repo, link)), { recursive: true });
    symlinkSync(target, path.join(repo, link));
  }
  const planFile = writeScenarioPlan(scenario, base);
  return { repo, planFile };
}

/** README §1.5: `{repo}` in any string under `expect` stands for R. */
function withRepo<T>(value: T, repo: string): T {
  return JSON.parse(JSON.stringify(value), (_key, item: unknown) =>
    typeof item === 'string' ? item.split('{repo}').join(repo) : item,
  ) as T;
}

export interface ScenarioOutcome {
  readonly problems: string[];
  readonly run: CliRun;
  readonly repo: string;
  readonly result?: GitScenarioResult & {
    status?: string;
    events?: ScenarioEvent[];
    units?: Record<string, Record<string, unknown>>;
    workflow_id?: string;
  };
}

export interface ScenarioOptions {
  /**
   * `git`: R is a git repository with the setup committed, the run gets `--workspace git`, and
   * the git checks of scenario-git.ts replace the file checks (they name paths the agents wrote
   * in their own working trees). The worker must use FANOUT_WORKTREES = `worktreeRoot`.
   */
  readonly workspace?: 'shared' | 'git';
  /** Where the worker makes working trees (git mode); default: this process's FANOUT_WORKTREES. */
  readonly worktreeRoot?: string;
  /**
   * Git mode with a remote (SPEC §10, hosts-scenario.ts): R cloned bare, `--remote` and no
   * `--repo`, run from an empty directory, checked on the remote and these hosts' work directories.
   */
  readonly hosts?: ScenarioHosts;
}

function rejectionProblems(
  run: CliRun,
  repo: string,
  events: ScenarioEvent[],
  errorContains?: string,
): string[] {
  const problems: string[] = [];
  if (errorContains !== undefined && !(run.stdout + run.stderr).includes(errorContains))
    problems.push(`output lacks ${errorContains}`);
  const only = events[0];
  if (
    events.length !== 1 ||
    only?.unit_id !== '__preflight__' ||
    only.exit_code !== 2 ||
    !String(only.error).startsWith('parallel preflight rejected plan: ')
  ) {
    problems.push(`rejection events ${JSON.stringify(events)}`);
  }
  if (errorContains !== undefined && !String(only?.error).includes(errorContains))
    problems.push(`preflight error lacks ${errorContains}`);
  if (exists(path.join(repo, '.agent'))) problems.push('.agent exists after a rejected plan');
  return problems;
}

function eventAndUnitProblems(
  scenario: Scenario,
  want: Scenario['expect'],
  run: CliRun,
  repo: string,
  result: NonNullable<ScenarioOutcome['result']>,
): string[] {
  const problems: string[] = [];
  if (result.status !== want.status) problems.push(`status ${result.status}, expected ${want.status}`);
  const events = keptEvents(result.events ?? []);
  if (want.status === 'rejected') {
    problems.push(...rejectionProblems(run, repo, events, want.error_contains));
  } else {
    const planUnits =
      (scenario.plan?.work_units as { unit_id: string }[] | undefined)?.map((u) => u.unit_id) ??
      Object.keys(result.units ?? {});
    problems.push(...checkInvariants(events, planUnits, want.units ?? {}, want.status));
  }
  if (want.events !== undefined) problems.push(...checkEventList(events, want.events));
  for (const constraint of want.event_constraints ?? []) {
    const problem = checkConstraint(events, constraint);
    if (problem !== undefined) problems.push(problem);
  }
  problems.push(...checkUnits(result.units ?? {}, want.units ?? {}));
  return problems;
}

function worktreeRootOf(options: ScenarioOptions): string {
  const root = options.worktreeRoot ?? process.env.FANOUT_WORKTREES;
  if (root === undefined || root === '')
    throw new Error(
      'a git-mode scenario needs FANOUT_WORKTREES (a temp dir), so nothing is left in /var/tmp',
    );
  return root;
}

/** Runs the scenario through the CLI and returns every problem found (empty: it passed). */
export async function runScenario(
  scenario: Scenario,
  connection: { address: string; namespace: string; taskQueue: string },
  options: ScenarioOptions = {},
): Promise<ScenarioOutcome> {
  const gitMode = options.workspace === 'git' || options.hosts !== undefined;
  const worktreeRoot = gitMode && options.hosts === undefined ? worktreeRootOf(options) : '';
  const { repo, planFile } = prepareScenario(scenario);
  const base = gitMode ? initGitRepo(repo) : '';
  const remote = options.hosts === undefined ? undefined : scenarioRemote(repo);
  const where = remote === undefined ? ['--repo', repo] : ['--remote', remote.remote];
  const args = ['run', planFile, ...where, '--json', ...(gitMode ? ['--workspace', 'git'] : [])];
  args.push('--address', connection.address, '--namespace', connection.namespace);
  args.push('--task-queue', connection.taskQueue);
  const run = await runCli(args, (scenario.timeout_s ?? 120) * 1000, process.env, remote?.client);
  const want = withRepo(scenario.expect, repo);
  const problems: string[] = [];
  if (run.code !== want.exit_code) problems.push(`exit code ${run.code}, expected ${want.exit_code}`);
  let result: ScenarioOutcome['result'];
  try {
    result = JSON.parse(run.stdout) as ScenarioOutcome['result'];
  } catch {
    problems.push(`stdout is not the JSON result: ${run.stdout.slice(0, 300)}`);
    return { problems: [...problems, `stderr: ${run.stderr.slice(0, 1000)}`], run, repo };
  }
  problems.push(...eventAndUnitProblems(scenario, want, run, repo, result ?? {}));
  if (remote !== undefined && options.hosts !== undefined) {
    problems.push(...checkRemoteScenario(remote.remote, base, result, options.hosts));
  } else if (gitMode) {
    problems.push(...checkGitScenario(repo, base, result, worktreeRoot));
  } else {
    problems.push(...checkFiles(repo, want.files ?? {}));
    problems.push(...(await checkPidsDead(repo, want.pids_dead ?? [])));
  }
  if (problems.length > 0) problems.push(`stderr: ${run.stderr.slice(-1500)}`);
  return { problems, run, repo, result };
}
