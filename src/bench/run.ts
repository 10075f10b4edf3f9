/**
 * `npm run bench [-- --quick] [-- --shape <name>] [-- --all]`: the coordinator benchmark.
 *
 * Starts its own Temporal dev server (SQLite in a temp folder) and one worker as a child process
 * (`node bin/agent-fanout.js worker`), runs each plan shape of `shapes.ts` with the fake agent
 * as a real run through the typed client, reads each run's result, history (every execution of
 * its chain, when it continued as new) and agent stamps, replays the history to time the workflow
 * code alone, prints its tables and writes everything to `bench/results/<ISO time>.json`. It
 * stops the worker, the server and every agent before it exits, also when a run fails. Metric
 * definitions: `metrics.ts`; shapes: `shapes.ts`; see bench/README.md.
 *
 * Shapes: by default chain, wide, lattice, dag and cancel (`cancel.ts`: failure -> every
 * sibling's process group gone, repeated runs). `scale` (`scale.ts`: 10,000 units, then its
 * progress, result and retry, against `scale-base` and `scale-base-wide` at 100 units) takes
 * well over 10 minutes on 2 cores, so it runs only with `--shape scale` or `--all`;
 * `--scale-units N` shrinks it and `--history-event-limit N` makes it continue as new sooner, to
 * try the code paths. Every run is checked against issue 8's limits (10,240 events per execution,
 * 2 MiB per payload); a run that breaks one fails the bench (exit 1), as does a failed run or a
 * failed check. Targets (cancel p95, overhead ratio, RSS) are reported as met or MISSED.
 *
 * A script, not a test: Jest only looks under test/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { awaitResult, connectClient, startRun, type FanoutHandle } from '../client/fanout-client';
import { startDevServer, type DevServer } from '../dev/dev-server';
import { requireTemporalCli } from '../dev/find-temporal-cli';
import type { FanoutResult } from '../plan/types';
import { validatePlanValue } from '../plan/validate';
import { defaultBundlePath } from '../worker/create-worker';
import { CANCEL_RUNS, parseArgs, SCALE_QUICK_UNITS, USAGE } from './args';
import { runCancelShape, type CancelReport } from './cancel';
import {
  chainFacts,
  fetchChain,
  firstRunIdOf,
  limitViolations,
  MAX_EVENTS_PER_EXECUTION,
  MAX_PAYLOAD_BYTES,
  type ChainFacts,
} from './chain';
import { counters, loadAverage, log, processFigures, readTextOrEmpty, type Environment } from './env';
import { analyzeHistories } from './history';
import { replayCost } from './replay';
import { untilDone } from './stall';
import { shapeMetrics } from './metrics';
import type { ShapeReport } from './shape-report';
import { parseStamps } from './stamps';
import { breakdownTable, cancelTable, historyTable, machineTable, scaleTable, summaryTable } from './report';
import { scaleChecks, scaleTargets, type ScaleChecks, type ScaleTargets } from './scale';
import {
  benchShapes,
  cancelShape,
  planValue,
  SCALE_BASE_UNITS,
  SCALE_UNITS,
  scaleShape,
  STAMP_FILE,
  type Shape,
  type ShapeName,
} from './shapes';
import {
  resetPeakRss,
  startWorkerProcess,
  WORKER_MALLOC_ARENA_MAX,
  type WorkerProcess,
} from './worker-process';

function versions(cliPath: string): Record<string, string> {
  const packageVersion = (name: string): string => {
    try {
      const file = require.resolve(`${name}/package.json`);
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  let temporalCli = 'unknown';
  try {
    temporalCli = execFileSync(cliPath, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // Reported as unknown.
  }
  return {
    node: process.version,
    temporalCli,
    sdkWorker: packageVersion('@temporalio/worker'),
    sdkClient: packageVersion('@temporalio/client'),
    sdkWorkflow: packageVersion('@temporalio/workflow'),
  };
}

type Client = Awaited<ReturnType<typeof connectClient>>;

/** What a check after the run gets: the run is over, its repo (and its artifacts) still there. */
interface FinishedRun {
  readonly handle: FanoutHandle;
  readonly workflowId: string;
  readonly result: FanoutResult;
  readonly chain: ChainFacts;
}

async function runShape(
  env: Environment,
  client: Client,
  shape: Shape,
  runLabel: string,
  options: {
    /** Checks after the run, before its repo is removed. */
    readonly after?: (run: FinishedRun) => Promise<ScaleChecks>;
    /** Events per execution before the run continues as new (the workflow's default when unset). */
    readonly historyEventLimit?: number;
  } = {},
): Promise<ShapeReport> {
  const { after, historyEventLimit } = options;
  const validation = validatePlanValue(planValue(shape, runLabel), { fileName: `${shape.name}.json` });
  if (!validation.ok) throw new Error(`the ${shape.name} plan is invalid: ${validation.message}`);
  const repo = realpathSync(mkdtempSync(path.join(env.scratch, `repo-${shape.name}-`)));
  const workflowId = `bench-${shape.name}-${runLabel}`;
  try {
    resetPeakRss(env.worker.pid);
    const before = counters(env);
    log(`${shape.name}: ${shape.title} (${shape.units.length} units)`);
    const handle = await startRun(client, {
      plan: validation.plan,
      repo,
      taskQueue: env.taskQueue,
      workflowId,
      ...(historyEventLimit === undefined ? {} : { historyEventLimit }),
    });
    const result = await untilDone(client, workflowId, awaitResult(handle));
    const after_ = counters(env);
    const figures = processFigures(env, before, after_);
    const executions = await fetchChain(client, workflowId, firstRunIdOf(handle), log);
    const histories = executions.map((execution) => execution.history);
    const facts = analyzeHistories(histories);
    const chain = chainFacts(executions);
    const violations = limitViolations(chain, shape.name);
    for (const violation of violations) log(`LIMIT EXCEEDED: ${violation}`);
    const stamps = parseStamps(readTextOrEmpty(path.join(repo, STAMP_FILE)));
    const checks = after === undefined ? undefined : await after({ handle, workflowId, result, chain });
    const metrics = shapeMetrics(shape, workflowId, result, facts, stamps, chain.historyBytes);
    const replay = await replayCost(histories, facts, env.bundlePath);
    log(
      `${shape.name}: ${result.status} in ${figures.wallSeconds.toFixed(1)} s, ` +
        `${chain.executions} execution(s), max ${chain.maxEventsInExecution} events, ` +
        `makespan ${(metrics.makespan.agentsMs / 1000).toFixed(2)} s vs ideal ${(metrics.makespan.idealMs / 1000).toFixed(2)} s` +
        (replay.error === undefined ? '' : `; REPLAY FAILED: ${replay.error}`),
    );
    return {
      ...metrics,
      process: figures,
      replay,
      chain,
      limitViolations: violations,
      ...(checks === undefined ? {} : { checks }),
    };
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv);
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const selected = (name: ShapeName): boolean => options.shapes.includes(name);
  const shapes = benchShapes(options.quick).filter((shape) => selected(shape.name as ShapeName));
  const startedAt = new Date();
  const runLabel = startedAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .toLowerCase();
  const cli = requireTemporalCli();
  const bundlePath = defaultBundlePath();
  if (bundlePath === undefined)
    throw new Error('dist/workflow-bundle.js is missing: run `npm run build` first');
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()}`,
    loadAverageStart: loadAverage(),
  };
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'agent-fanout-bench-'));
  log(`scratch folder ${scratch}; load average ${machine.loadAverageStart.join(' ')}`);

  let server: DevServer | undefined;
  let worker: WorkerProcess | undefined;
  const reports: ShapeReport[] = [];
  let cancel: CancelReport | undefined;
  let scale: { readonly report: ShapeReport; readonly targets?: ScaleTargets } | undefined;
  try {
    server = await startDevServer({ dbFile: path.join(scratch, 'temporal.sqlite'), cliPath: cli.path, log });
    const taskQueue = `bench-${runLabel}`;
    worker = await startWorkerProcess({
      address: server.address,
      namespace: server.namespace,
      taskQueue,
      logFile: path.join(scratch, 'worker.log'),
      ...(options.profileDir === undefined ? {} : { profileDir: options.profileDir }),
    });
    log(
      `worker pid ${worker.pid} ready in ${worker.startupMs} ms ` +
        `(MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? WORKER_MALLOC_ARENA_MAX}, as in the worker image)`,
    );
    if (options.profileDir !== undefined)
      log(`profiling the worker: its .cpuprofile files go to ${options.profileDir} when it stops`);
    const client = await connectClient({ address: server.address, namespace: server.namespace });
    try {
      const env: Environment = { server, worker, taskQueue, scratch, bundlePath };
      for (const shape of shapes) reports.push(await runShape(env, client, shape, runLabel));
      if (selected('cancel')) {
        const runs = options.cancelRuns ?? (options.quick ? CANCEL_RUNS.quick : CANCEL_RUNS.full);
        cancel = await runCancelShape(env, client, cancelShape(), runs, runLabel);
      }
      if (selected('scale')) {
        const units = options.scaleUnits ?? (options.quick ? SCALE_QUICK_UNITS : SCALE_UNITS);
        const baselines = [
          await runShape(env, client, scaleShape(SCALE_BASE_UNITS, 'scale-base'), runLabel),
          await runShape(env, client, scaleShape(SCALE_BASE_UNITS, 'scale-base-wide', 1), runLabel),
        ];
        reports.push(...baselines);
        const bigShape = scaleShape(units, 'scale');
        const big = await runShape(env, client, bigShape, runLabel, {
          after: (run) =>
            scaleChecks(client, env, run.handle, run.workflowId, bigShape, run.result, run.chain),
          ...(options.historyEventLimit === undefined
            ? {}
            : { historyEventLimit: options.historyEventLimit }),
        });
        reports.push(big);
        scale = { report: big, targets: scaleTargets(baselines, big, big.process.workerPeakRssMiB) };
      }
    } finally {
      await client.connection.close();
    }
  } finally {
    await worker?.stop();
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }

  const output = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    mode: options.quick ? 'quick' : 'full',
    selected: options.shapes,
    machine: { ...machine, loadAverageEnd: loadAverage() },
    versions: versions(cli.path),
    notes: [
      'makespan agents = first agent start -> last agent end; workflow = WorkflowExecutionStarted (first execution) -> close event (last execution)',
      'ideal = Scheduler replayed with measured agent durations and zero coordinator cost; ratio = agents / ideal',
      'overhead = agent start - max(last dependency finished_at, finished_at that freed its slot); first-wave units without dependencies skipped',
      'mean running = sum of agent durations / agents makespan',
      'WFT latency = WorkflowTaskScheduled -> WorkflowTaskCompleted (server event times)',
      'peak RSS = VmHWM of the worker process, reset before each shape',
      'agent phases: each agent stamps its first and last action; launch->1st action = supervisor and agent start-up, last action->finished = exit noticed and evidence read',
      'replay = the history (every execution of the chain) replayed in the bench process, first execution warmed up: workflow code and SDK cost only',
      'bench CPUs = CPU of worker + agents (with their supervisors) + server / wall time; machine busy CPUs includes every other process',
      `chain = the executions of one workflow id (continue-as-new); limits: <= ${MAX_EVENTS_PER_EXECUTION} events per execution, <= ${MAX_PAYLOAD_BYTES} bytes per payload (data + metadata)`,
      'cancel = failing agent last action (stamp just before exit 1) -> each sibling process group gone (kill(-pgid, 0) ESRCH or only zombies left), probed every 5 ms by the bench',
      `scale = ${SCALE_UNITS} units (round(sqrt(N)) levels, instant agents, max_workers 32) vs scale-base ${SCALE_BASE_UNITS} units (10 levels; judged) and scale-base-wide ${SCALE_BASE_UNITS} units (1 level, as many agents at once as at ${SCALE_UNITS}): overhead ratio p50 and p95 target <= 1.5, worker peak RSS <= 400 MiB`,
    ],
    shapes: reports,
    ...(cancel === undefined ? {} : { cancel }),
    ...(scale?.targets === undefined ? {} : { scaleTargets: scale.targets }),
  };
  mkdirSync(options.outDir, { recursive: true });
  const outFile = path.join(options.outDir, `${startedAt.toISOString().replace(/:/g, '-')}.json`);
  writeFileSync(outFile, `${JSON.stringify(output, null, 2)}\n`);

  const sections: string[] = [
    '',
    `agent-fanout bench (${output.mode}), ${machine.cpus} CPUs, node ${output.versions.node}, ${output.versions.temporalCli}, SDK ${output.versions.sdkWorker}`,
    `load average start ${machine.loadAverageStart.join(' ')}, end ${output.machine.loadAverageEnd.join(' ')}`,
  ];
  if (reports.length > 0)
    sections.push(
      '',
      summaryTable(reports),
      '',
      'Launch overhead, step by step (p50/p95 ms):',
      breakdownTable(reports),
      '',
      'CPU and contention while each shape ran:',
      machineTable(reports),
      '',
      `History per run (limits: ${MAX_EVENTS_PER_EXECUTION} events per execution, ${MAX_PAYLOAD_BYTES / 2 ** 20} MiB per payload):`,
      historyTable(reports),
    );
  if (cancel !== undefined) sections.push('', `Cancel latency: ${cancel.title}`, cancelTable(cancel));
  if (scale !== undefined)
    sections.push('', `Scale: ${scale.report.title}`, scaleTable(scale.report, scale.targets));
  sections.push('', `Results: ${path.relative(process.cwd(), outFile) || outFile}`, '');
  process.stdout.write(sections.join('\n'));

  const healthy =
    reports.every(
      (report) =>
        report.status === 'succeeded' &&
        report.limitViolations.length === 0 &&
        (report.checks?.problems.length ?? 0) === 0,
    ) &&
    (cancel === undefined || cancel.problems.length === 0);
  return healthy ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
