/**
 * The `hosts` shape (issue 17 "Measure"): many hosts through a shared git remote (SPEC §10).
 *
 * A plan of 12 units in three levels (a1..a4; b<i> after a<i>; c<i> after every b), max_workers 4,
 * agents of 1 s that stamp their first and last action into a file of their own area (committed
 * with their output), runs three times through the built CLI, each time from a directory with no
 * checkout except the first:
 * - `git`: single-host git mode (`--repo <checkout>`), one worker of up to 4 agents;
 * - `remote-1`: `--remote <bare repository>`, the same worker (its clone of the remote, fetch and
 *   push per unit);
 * - `remote-2`: `--remote`, two workers of up to 2 agents each, own `--workdir`s, own queue.
 * Makespan = WorkflowExecutionStarted -> close (server times); per unit: runAgentAttempt
 * ActivityTaskStarted -> the agent's first stamp (before) and its last stamp -> ActivityTaskCompleted
 * (after); overhead = before + after. remote-1 minus git = what fetch + push add per unit.
 * The workers run here (not the bench's own worker): their work directories under the scratch folder.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { FanoutResult } from '../plan/types';
import { fetchChain } from './chain';
import { loadAverage, log, round, type Environment } from './env';
import { analyzeHistories } from './history';
import type { HostsMode, HostsReport, HostsRun } from './hosts-types';
import { FAKE_AGENT } from './shapes';
import { parseStamps } from './stamps';
import { distribution } from './stats';
import { CLI_PATH, startWorkerProcess, type WorkerProcess } from './worker-process';
import { committedText, makeRepo } from './workspace-repo';

export const HOSTS_PLAN = { units: 12, maxWorkers: 4, agentMs: 1000 };

const stampFile = (unitId: string): string => `src/${unitId}/stamps.txt`;

/** The 12-unit plan in three levels (see the file comment). */
export function hostsPlanValue(): Record<string, unknown> {
  const level = (letter: string, dependencies: (i: number) => string[]): Record<string, unknown>[] =>
    [1, 2, 3, 4].map((i) => {
      const unitId = `${letter}${i}`;
      const stamps = stampFile(unitId);
      return {
        unit_id: unitId,
        description: `Hosts benchmark unit ${unitId}.`,
        allowed_directories: [`src/${unitId}`],
        dependencies: dependencies(i),
        command: [FAKE_AGENT, '--stamp', stamps, 'start', '--sleep-ms', String(HOSTS_PLAN.agentMs)].concat(
          '--artifact',
          'x.md',
          '--stamp',
          stamps,
          'end',
        ),
      };
    });
  return {
    name: 'bench-hosts',
    max_workers: HOSTS_PLAN.maxWorkers,
    confinement: 'landlock',
    agent: { command: [FAKE_AGENT, '--artifact', 'x.md'] },
    work_units: [
      ...level('a', () => []),
      ...level('b', (i) => [`a${i}`]),
      ...level('c', () => ['b1', 'b2', 'b3', 'b4']),
    ],
  };
}

/** `agent-fanout <args>` in `cwd`; resolves with its exit code and output. */
function cli(
  cwd: string,
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Place {
  readonly env: Environment;
  readonly client: Client;
  readonly taskQueue: string;
  /** Where the plan file and the run's folders are. */
  readonly folder: string;
  readonly checkout: string;
  readonly remote: string;
}

async function runOnce(place: Place, mode: HostsMode, workflowId: string): Promise<HostsRun> {
  const { env, client, folder } = place;
  const planFile = path.join(folder, 'plan.json');
  const where = mode === 'git' ? ['--repo', place.checkout] : ['--remote', place.remote];
  const loadAverageStart = loadAverage();
  const run = await cli(mode === 'git' ? place.checkout : path.join(folder, 'client'), [
    ...['run', planFile, '--workspace', 'git', ...where, '--id', workflowId, '--json'],
    ...[
      '--address',
      env.server.address,
      '--namespace',
      env.server.namespace,
      '--task-queue',
      place.taskQueue,
    ],
  ]);
  let result: FanoutResult;
  try {
    result = JSON.parse(run.stdout) as FanoutResult;
  } catch {
    throw new Error(`hosts ${mode}: no JSON result (exit ${run.code}): ${run.stderr.slice(-2000)}`);
  }
  const facts = analyzeHistories(
    (await fetchChain(client, workflowId, undefined, log)).map((each) => each.history),
  );
  const repo = mode === 'git' ? place.checkout : place.remote;
  const stamps = parseStamps(
    Object.entries(result.units)
      .map(([unitId, unit]) => committedText(repo, unit.commit, stampFile(unitId)))
      .join('\n'),
  );
  const series = { before: [] as number[], after: [] as number[], overhead: [] as number[] };
  for (const activity of facts.activities) {
    if (activity.completedMs === undefined) continue;
    const stamp = stamps.get(activity.unitId);
    const before = (stamp?.startMs ?? Number.NaN) - (activity.startedMs ?? Number.NaN);
    const after = activity.completedMs - (stamp?.endMs ?? Number.NaN);
    series.before.push(before);
    series.after.push(after);
    series.overhead.push(before + after);
  }
  const unitsPerHost: Record<string, number> = {};
  for (const unit of Object.values(result.units)) {
    const host = unit.host ?? '-';
    unitsPerHost[host] = (unitsPerHost[host] ?? 0) + 1;
  }
  const measured: HostsRun = {
    mode,
    workflowId,
    status: result.status,
    succeeded: Object.values(result.units).filter((unit) => unit.status === 'SUCCEEDED').length,
    units: HOSTS_PLAN.units,
    unitsPerHost,
    makespanMs: facts.workflowClosedMs - facts.workflowStartedMs,
    beforeAgentMs: distribution(series.before),
    afterAgentMs: distribution(series.after),
    overheadMs: distribution(series.overhead),
    loadAverageStart,
    loadAverageEnd: loadAverage(),
  };
  log(
    `hosts ${mode}: ${result.status} in ${(measured.makespanMs / 1000).toFixed(1)} s; overhead per unit ` +
      `p50 ${measured.overheadMs?.p50 ?? '-'} ms, p95 ${measured.overheadMs?.p95 ?? '-'} ms`,
  );
  return measured;
}

/** A worker for this shape: its own queue and work directory, up to `maxAgents` agents. */
function hostWorker(
  env: Environment,
  taskQueue: string,
  workdir: string,
  maxAgents: number,
): Promise<WorkerProcess> {
  mkdirSync(workdir, { recursive: true });
  return startWorkerProcess({
    address: env.server.address,
    namespace: env.server.namespace,
    taskQueue,
    logFile: `${workdir}.log`,
    extraArgs: [
      '--workdir',
      workdir,
      '--host',
      path.basename(workdir),
      '--max-concurrent-agents',
      String(maxAgents),
    ],
  });
}

/** The whole shape (see the file comment), in `<scratch>/hosts`. */
export async function runHostsShape(
  env: Environment,
  client: Client,
  runLabel: string,
): Promise<HostsReport> {
  const folder = path.join(env.scratch, 'hosts');
  mkdirSync(path.join(folder, 'client'), { recursive: true });
  const checkout = path.join(folder, 'checkout');
  mkdirSync(checkout);
  makeRepo(checkout, 100);
  const remote = path.join(folder, 'remote.git');
  execFileSync('git', ['clone', '--quiet', '--bare', checkout, remote], { stdio: 'ignore' });
  writeFileSync(path.join(folder, 'plan.json'), JSON.stringify(hostsPlanValue(), null, 2));
  const runs: HostsRun[] = [];
  const oneQueue = `${env.taskQueue}-hosts-one`;
  const one = await hostWorker(env, oneQueue, path.join(folder, 'one'), HOSTS_PLAN.maxWorkers);
  try {
    const place = { env, client, taskQueue: oneQueue, folder, checkout, remote };
    runs.push(await runOnce(place, 'git', `bench-hosts-git-${runLabel}`));
    runs.push(await runOnce(place, 'remote-1', `bench-hosts-remote-1-${runLabel}`));
  } finally {
    await one.stop();
  }
  const twoQueue = `${env.taskQueue}-hosts-two`;
  const two = await Promise.all(
    ['two-a', 'two-b'].map((name) =>
      hostWorker(env, twoQueue, path.join(folder, name), HOSTS_PLAN.maxWorkers / 2),
    ),
  );
  try {
    const place = { env, client, taskQueue: twoQueue, folder, checkout, remote };
    runs.push(await runOnce(place, 'remote-2', `bench-hosts-remote-2-${runLabel}`));
  } finally {
    await Promise.all(two.map((worker) => worker.stop()));
  }
  return hostsReport(runs);
}

function hostsReport(runs: readonly HostsRun[]): HostsReport {
  const byMode = (mode: HostsMode): HostsRun | undefined => runs.find((run) => run.mode === mode);
  const git = byMode('git')?.overheadMs;
  const remote = byMode('remote-1')?.overheadMs;
  const problems = runs
    .filter((run) => run.status !== 'succeeded' || run.succeeded !== run.units)
    .map((run) => `${run.mode}: ${run.status}, ${run.succeeded}/${run.units} SUCCEEDED`);
  const two = byMode('remote-2');
  if (two !== undefined && Object.keys(two.unitsPerHost).length !== 2)
    problems.push(`remote-2: the units ran on ${Object.keys(two.unitsPerHost).join(', ')}, not on two hosts`);
  return {
    title: `${HOSTS_PLAN.units} units in three levels, agents of ${HOSTS_PLAN.agentMs / 1000} s, max_workers ${HOSTS_PLAN.maxWorkers}, Landlock`,
    ...HOSTS_PLAN,
    runs,
    remoteOverheadMs:
      git === null || git === undefined || remote === null || remote === undefined
        ? null
        : { p50: round(remote.p50 - git.p50, 1), p95: round(remote.p95 - git.p95, 1) },
    twoOverOneMakespan: round(
      (two?.makespanMs ?? Number.NaN) / (byMode('remote-1')?.makespanMs ?? Number.NaN),
    ),
    problems,
  };
}
