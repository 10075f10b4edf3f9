/**
 * The `workspace` shape (issue 15 "Measure"): what a git working tree per unit (SPEC §9) costs at
 * a unit's start, against the shared checkout, on repositories of 10,000 and 100,000 committed
 * files (`--quick`: 10,000 only, fewer units).
 *
 * For each size a fresh repository is made under the bench's folder outside $HOME (/var/tmp), and
 * the same plan (independent units, instant agents that stamp their first and last action into a
 * file of their own area and write one artifact, Landlock on) runs three times on it: in shared
 * mode, in git mode with the worker's pool of released working trees empty (`git-first`: the
 * first max_workers starts add a tree, the later ones reuse a released one), and in git mode again
 * (`git-reused`: every start re-points a pooled tree: the steady state, which the target judges).
 *
 * unit start -> agent start = the attempt activity's ActivityTaskStarted (server time) -> the
 * agent's first action (its stamp), split at the unit's `started_at` (the agent's launch).
 * Disk per running unit = `du -sk` of one prepared tree taken from the pool after the git runs,
 * plus its admin folder under the source's `.git/worktrees/`.
 */
import { mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { awaitResult, startRun } from '../client/fanout-client';
import { resolveGitRun } from '../client/git-mode/git-run-settings';
import type { FanoutResult } from '../plan/types';
import { validatePlanValue } from '../plan/validate';
import { fetchChain, firstRunIdOf } from './chain';
import { loadAverage, log, readTextOrEmpty, round, type Environment } from './env';
import { analyzeHistories, type ActivityTimes } from './history';
import { FAKE_AGENT } from './shapes';
import { untilDone } from './stall';
import { parseStamps } from './stamps';
import { distribution } from './stats';
import { committedText, diskKib, makeRepo, pooledTreeCount, pooledTreeDisk } from './workspace-repo';
import type { WorkspaceMode, WorkspaceReport, WorkspaceRun, WorkspaceSize } from './workspace-types';

/** Target: unit start -> agent start p95 at 100,000 files with reused working trees. */
export const WORKSPACE_TARGET_P95_MS = 1000;
export const WORKSPACE_TARGET_FILES = 100_000;

export const WORKSPACE_SIZES = { full: [10_000, WORKSPACE_TARGET_FILES], quick: [10_000] };
export const WORKSPACE_PLAN = { full: { units: 12, maxWorkers: 4 }, quick: { units: 6, maxWorkers: 2 } };

const MODES: readonly WorkspaceMode[] = ['shared', 'git-first', 'git-reused'];

const unitIds = (count: number): string[] =>
  Array.from({ length: count }, (_, index) => `u${String(index).padStart(2, '0')}`);
const stampFile = (unitId: string): string => `src/${unitId}/stamps.txt`;

/** The plan: independent units, each stamping into its own area and writing one artifact. */
export function workspacePlanValue(
  files: number,
  mode: WorkspaceMode,
  units: number,
  maxWorkers: number,
): Record<string, unknown> {
  return {
    name: `bench-workspace-${files}`,
    max_workers: maxWorkers,
    confinement: 'landlock',
    workspace: mode === 'shared' ? 'shared' : 'git',
    agent: { command: [FAKE_AGENT, '--artifact', 'x.md'] },
    work_units: unitIds(units).map((unitId) => ({
      unit_id: unitId,
      description: `Workspace benchmark unit ${unitId}.`,
      allowed_directories: [`src/${unitId}`],
      dependencies: [],
      command: [FAKE_AGENT, '--stamp', stampFile(unitId), 'start', '--artifact', 'x.md'].concat(
        '--stamp',
        stampFile(unitId),
        'end',
      ),
    })),
  };
}

/** Each unit's first attempt activity, by unit id. */
function firstAttempts(activities: readonly ActivityTimes[]): Map<string, ActivityTimes> {
  const found = new Map<string, ActivityTimes>();
  for (const activity of activities) if (!found.has(activity.unitId)) found.set(activity.unitId, activity);
  return found;
}

/** The stamps the units left: in the checkout (shared) or in their output commits (git). */
function stampsOf(repo: string, mode: WorkspaceMode, result: FanoutResult): string {
  return Object.entries(result.units)
    .map(([unitId, unit]) =>
      mode === 'shared'
        ? readTextOrEmpty(path.join(repo, stampFile(unitId)))
        : committedText(repo, unit.commit, stampFile(unitId)),
    )
    .join('\n');
}

interface RunRequest {
  readonly repo: string;
  readonly files: number;
  readonly mode: WorkspaceMode;
  readonly units: number;
  readonly maxWorkers: number;
  readonly runLabel: string;
}

async function runOnce(env: Environment, client: Client, request: RunRequest): Promise<WorkspaceRun> {
  const { repo, files, mode } = request;
  const value = workspacePlanValue(files, mode, request.units, request.maxWorkers);
  const validation = validatePlanValue(value, { fileName: `workspace-${files}.json` });
  if (!validation.ok) throw new Error(`the workspace plan is invalid: ${validation.message}`);
  const workflowId = `bench-workspace-${files}-${mode}-${request.runLabel}`;
  const git =
    mode === 'shared'
      ? undefined
      : (
          await resolveGitRun({
            repo,
            planName: validation.plan.name,
            workflowId,
            idSource: 'the workflow id',
            keepFailed: false,
            now: new Date(),
          })
        ).git;
  const loadAverageStart = loadAverage();
  const started = Date.now();
  const handle = await startRun(client, {
    plan: validation.plan,
    repo,
    taskQueue: env.taskQueue,
    workflowId,
    ...(git === undefined ? {} : { git }),
  });
  const result = await untilDone(client, workflowId, awaitResult(handle));
  const wallMs = Date.now() - started;
  const executions = await fetchChain(client, workflowId, firstRunIdOf(handle), log);
  const activities = firstAttempts(analyzeHistories(executions.map((each) => each.history)).activities);
  const stamps = parseStamps(stampsOf(repo, mode, result));
  const series = {
    total: [] as number[],
    prepare: [] as number[],
    launch: [] as number[],
    end: [] as number[],
  };
  for (const [unitId, unit] of Object.entries(result.units)) {
    const activity = activities.get(unitId);
    const stamp = stamps.get(unitId);
    const launched = Date.parse(unit.started_at ?? '');
    const activityStarted = activity?.startedMs ?? Number.NaN;
    series.total.push((stamp?.startMs ?? Number.NaN) - activityStarted);
    series.prepare.push(launched - activityStarted);
    series.launch.push((stamp?.startMs ?? Number.NaN) - launched);
    series.end.push((activity?.completedMs ?? Number.NaN) - (stamp?.endMs ?? Number.NaN));
  }
  const run: WorkspaceRun = {
    mode,
    workflowId,
    status: result.status,
    succeeded: Object.values(result.units).filter((unit) => unit.status === 'SUCCEEDED').length,
    units: request.units,
    wallMs,
    unitStartToAgentStartMs: distribution(series.total),
    activityStartedToLaunchMs: distribution(series.prepare),
    launchToFirstActionMs: distribution(series.launch),
    agentEndToCompletedMs: distribution(series.end),
    loadAverageStart,
    loadAverageEnd: loadAverage(),
    pooledAfter: env.gitScratch === undefined ? 0 : pooledTreeCount(path.join(env.gitScratch, 'trees'), repo),
  };
  const shown = run.unitStartToAgentStartMs;
  log(
    `workspace ${files} files, ${mode}: ${result.status} in ${(wallMs / 1000).toFixed(1)} s; ` +
      `unit start -> agent start p50 ${shown?.p50 ?? '-'} ms, p95 ${shown?.p95 ?? '-'} ms`,
  );
  return run;
}

function ratiosOf(runs: readonly WorkspaceRun[]): WorkspaceSize['ratios'] {
  const shared = runs.find((run) => run.mode === 'shared')?.unitStartToAgentStartMs;
  const ratios: Partial<Record<WorkspaceMode, { p50: number; p95: number }>> = {};
  for (const run of runs) {
    const own = run.unitStartToAgentStartMs;
    if (run.mode === 'shared' || own === null || shared === null || shared === undefined) continue;
    ratios[run.mode] = { p50: round(own.p50 / shared.p50), p95: round(own.p95 / shared.p95) };
  }
  return ratios;
}

/** One repository size: made, run in the three modes, its prepared tree measured. */
async function measureSize(
  env: Environment,
  client: Client,
  files: number,
  plan: { units: number; maxWorkers: number; runLabel: string },
  gitScratch: string,
): Promise<WorkspaceSize> {
  const repo = path.join(gitScratch, `repo-${files}`);
  mkdirSync(repo);
  log(`workspace: making a repository of ${files} files`);
  const made = makeRepo(realpathSync(repo), files);
  log(`workspace: ${files} files committed and checked out in ${(made.setupMs / 1000).toFixed(1)} s`);
  const runs: WorkspaceRun[] = [];
  for (const mode of MODES)
    runs.push(await runOnce(env, client, { repo: realpathSync(repo), files, mode, ...plan }));
  const worktrees = path.join(gitScratch, 'trees');
  return {
    files,
    repoSetupMs: made.setupMs,
    checkoutKib: diskKib(repo, true),
    runs,
    treeDisk: pooledTreeDisk(worktrees, realpathSync(repo)),
    ratios: ratiosOf(runs),
  };
}

/** The whole shape (see the file comment); `gitScratch` is the bench's folder outside $HOME. */
export async function runWorkspaceShape(
  env: Environment,
  client: Client,
  quick: boolean,
  runLabel: string,
  gitScratch: string,
): Promise<WorkspaceReport> {
  const plan = quick ? WORKSPACE_PLAN.quick : WORKSPACE_PLAN.full;
  const sizes: WorkspaceSize[] = [];
  for (const files of quick ? WORKSPACE_SIZES.quick : WORKSPACE_SIZES.full)
    sizes.push(await measureSize(env, client, files, { ...plan, runLabel }, gitScratch));
  const problems = sizes.flatMap((size) =>
    size.runs
      .filter((run) => run.status !== 'succeeded' || run.succeeded !== run.units)
      .map(
        (run) => `${size.files} files, ${run.mode}: ${run.status}, ${run.succeeded}/${run.units} SUCCEEDED`,
      ),
  );
  const judged = sizes
    .find((size) => size.files === WORKSPACE_TARGET_FILES)
    ?.runs.find((run) => run.mode === 'git-reused')?.unitStartToAgentStartMs;
  return {
    title: `${plan.units} independent instant units, max_workers ${plan.maxWorkers}, Landlock, on ${sizes.map((size) => size.files.toLocaleString('en-US')).join(' and ')} files`,
    units: plan.units,
    maxWorkers: plan.maxWorkers,
    poolSize: process.env.FANOUT_WORKTREE_POOL ?? '4 (default)',
    sizes,
    target: {
      files: WORKSPACE_TARGET_FILES,
      p95Ms: judged?.p95 ?? Number.NaN,
      targetMs: WORKSPACE_TARGET_P95_MS,
      met: judged === undefined || judged === null ? null : judged.p95 <= WORKSPACE_TARGET_P95_MS,
    },
    problems,
  };
}
