/**
 * `npm run bench [-- --quick] [-- --shape <name>]`: the coordinator benchmark.
 *
 * Starts its own Temporal dev server (SQLite in a temp folder) and one worker as a child process
 * (`node bin/agent-fanout.js worker`), runs each plan shape of `shapes.ts` with the fake agent
 * as a real run through the typed client, reads each run's result, history and agent stamps,
 * replays the history to time the workflow code alone, prints three tables and writes everything
 * to `bench/results/<ISO time>.json`. It stops the worker and the server before it exits, also
 * when a run fails. Metric definitions: `metrics.ts`; shapes: `shapes.ts`; see bench/README.md.
 *
 * A script, not a test: Jest only looks under test/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { awaitResult, connectClient, startRun } from '../client/fanout-client';
import { startDevServer, type DevServer } from '../dev/dev-server';
import { PROJECT_ROOT, requireTemporalCli } from '../dev/find-temporal-cli';
import { validatePlanValue } from '../plan/validate';
import { defaultBundlePath } from '../worker/create-worker';
import { analyzeHistory } from './history';
import { replayCost } from './replay';
import { parseStamps, shapeMetrics, type ShapeReport } from './metrics';
import { breakdownTable, machineTable, summaryTable } from './report';
import { benchShapes, planValue, SHAPE_NAMES, STAMP_FILE, type Shape, type ShapeName } from './shapes';
import {
  machineCpu,
  processCpu,
  resetPeakRss,
  runQueueWaitSeconds,
  startWorkerProcess,
  statusMiB,
  type ProcessCpu,
  type WorkerProcess,
} from './worker-process';

const USAGE = `Usage: npm run bench -- [--quick] [--shape ${SHAPE_NAMES.join('|')}] [--out DIR]

  --quick         small versions of every shape (about a minute on 2 cores)
  --shape NAME    run one shape only
  --out DIR       where the JSON goes (default bench/results)
`;

interface Options {
  readonly quick: boolean;
  readonly shape?: ShapeName;
  readonly outDir: string;
}

function parseArgs(argv: readonly string[]): Options | 'help' {
  let quick = false;
  let shape: ShapeName | undefined;
  let outDir = path.join(PROJECT_ROOT, 'bench', 'results');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--help' || arg === '-h') return 'help';
    else if (arg === '--shape' || arg === '--out') {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value\n\n${USAGE}`);
      if (arg === '--out') outDir = path.resolve(value);
      else if ((SHAPE_NAMES as readonly string[]).includes(value)) shape = value as ShapeName;
      else throw new Error(`unknown shape '${value}'; one of ${SHAPE_NAMES.join(', ')}`);
    } else throw new Error(`unknown argument '${arg}'\n\n${USAGE}`);
  }
  return { quick, ...(shape === undefined ? {} : { shape }), outDir };
}

function log(message: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function readTextOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function loadAverage(): number[] {
  return os.loadavg().map((value) => Math.round(value * 100) / 100);
}

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

interface Environment {
  readonly server: DevServer;
  readonly worker: WorkerProcess;
  readonly taskQueue: string;
  readonly scratch: string;
  readonly bundlePath: string;
}

/** CPU and scheduling counters of the bench's processes and the machine, at one moment. */
function counters(env: Environment): {
  readonly at: number;
  readonly worker: ProcessCpu;
  readonly server: ProcessCpu;
  readonly workerWait: number;
  readonly serverWait: number;
  readonly machine: ReturnType<typeof machineCpu>;
} {
  return {
    at: Date.now(),
    worker: processCpu(env.worker.pid),
    server: processCpu(env.server.pid),
    workerWait: runQueueWaitSeconds(env.worker.pid),
    serverWait: runQueueWaitSeconds(env.server.pid),
    machine: machineCpu(),
  };
}

const round = (value: number, digits = 2): number => Math.round(value * 10 ** digits) / 10 ** digits;

async function runShape(
  env: Environment,
  client: Awaited<ReturnType<typeof connectClient>>,
  shape: Shape,
  runLabel: string,
): Promise<ShapeReport> {
  const validation = validatePlanValue(planValue(shape, runLabel), { fileName: `${shape.name}.json` });
  if (!validation.ok) throw new Error(`the ${shape.name} plan is invalid: ${validation.message}`);
  const repo = realpathSync(mkdtempSync(path.join(env.scratch, `repo-${shape.name}-`)));
  const workflowId = `bench-${shape.name}-${runLabel}`;
  const loadAverageStart = loadAverage();
  resetPeakRss(env.worker.pid);
  const before = counters(env);
  log(`${shape.name}: ${shape.title} (${shape.units.length} units)`);
  const handle = await startRun(client, {
    plan: validation.plan,
    repo,
    taskQueue: env.taskQueue,
    workflowId,
  });
  const result = await awaitResult(handle);
  const after = counters(env);
  const wallSeconds = (after.at - before.at) / 1000;
  const delta = (pick: (sample: typeof before) => number): number => round(pick(after) - pick(before));
  const figures = {
    workerPeakRssMiB: round(statusMiB(env.worker.pid, 'VmHWM'), 1),
    workerRssAtEndMiB: round(statusMiB(env.worker.pid, 'VmRSS'), 1),
    workerCpuSeconds: delta((sample) => sample.worker.own),
    agentsCpuSeconds: delta((sample) => sample.worker.children),
    serverCpuSeconds: delta((sample) => sample.server.own),
    workerRunQueueWaitSeconds: delta((sample) => sample.workerWait),
    serverRunQueueWaitSeconds: delta((sample) => sample.serverWait),
    machineBusyCores: round(delta((sample) => sample.machine.busy) / wallSeconds),
    benchCores: round(
      delta((sample) => sample.worker.own + sample.worker.children + sample.server.own) / wallSeconds,
    ),
    wallSeconds: round(wallSeconds),
    loadAverageStart,
    loadAverageEnd: loadAverage(),
  };
  const history = await handle.fetchHistory();
  const stamps = parseStamps(readTextOrEmpty(path.join(repo, STAMP_FILE)));
  rmSync(repo, { recursive: true, force: true });
  const facts = analyzeHistory(history);
  const { historySize } = await handle.describe();
  const metrics = shapeMetrics(shape, workflowId, result, facts, stamps, historySize);
  const replay = await replayCost(history, facts, env.bundlePath);
  log(
    `${shape.name}: ${result.status} in ${wallSeconds.toFixed(1)} s, ` +
      `makespan ${(metrics.makespan.agentsMs / 1000).toFixed(2)} s vs ideal ${(metrics.makespan.idealMs / 1000).toFixed(2)} s` +
      (replay.error === undefined ? '' : `; REPLAY FAILED: ${replay.error}`),
  );
  return { ...metrics, process: figures, replay };
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv);
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const shapes = benchShapes(options.quick).filter(
    (shape) => options.shape === undefined || shape.name === options.shape,
  );
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
  try {
    server = await startDevServer({ dbFile: path.join(scratch, 'temporal.sqlite'), cliPath: cli.path, log });
    const taskQueue = `bench-${runLabel}`;
    worker = await startWorkerProcess({
      address: server.address,
      namespace: server.namespace,
      taskQueue,
      logFile: path.join(scratch, 'worker.log'),
    });
    log(`worker pid ${worker.pid} ready in ${worker.startupMs} ms`);
    const client = await connectClient({ address: server.address, namespace: server.namespace });
    try {
      const env: Environment = { server, worker, taskQueue, scratch, bundlePath };
      for (const shape of shapes) reports.push(await runShape(env, client, shape, runLabel));
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
    machine: { ...machine, loadAverageEnd: loadAverage() },
    versions: versions(cli.path),
    notes: [
      'makespan agents = first agent start -> last agent end; workflow = WorkflowExecutionStarted -> close event',
      'ideal = Scheduler replayed with measured agent durations and zero coordinator cost; ratio = agents / ideal',
      'overhead = agent start - max(last dependency finished_at, finished_at that freed its slot); first-wave units without dependencies skipped',
      'WFT latency = WorkflowTaskScheduled -> WorkflowTaskCompleted (server event times)',
      'peak RSS = VmHWM of the worker process, reset before each shape',
      'agent phases: each agent stamps its first and last action; launch->1st action = supervisor and agent start-up, last action->finished = exit noticed and evidence read',
      'replay = the history replayed in the bench process (second pass, bundle loaded): workflow code and SDK cost only',
      'bench CPUs = CPU of worker + agents (its reaped children) + server / wall time; machine busy CPUs includes every other process',
    ],
    shapes: reports,
  };
  mkdirSync(options.outDir, { recursive: true });
  const outFile = path.join(options.outDir, `${startedAt.toISOString().replace(/:/g, '-')}.json`);
  writeFileSync(outFile, `${JSON.stringify(output, null, 2)}\n`);

  process.stdout.write(
    [
      '',
      `agent-fanout bench (${output.mode}), ${machine.cpus} CPUs, node ${output.versions.node}, ${output.versions.temporalCli}, SDK ${output.versions.sdkWorker}`,
      `load average start ${machine.loadAverageStart.join(' ')}, end ${output.machine.loadAverageEnd.join(' ')}`,
      '',
      summaryTable(reports),
      '',
      'Launch overhead, step by step (p50/p95 ms):',
      breakdownTable(reports),
      '',
      'CPU and contention while each shape ran:',
      machineTable(reports),
      '',
      `Results: ${path.relative(process.cwd(), outFile) || outFile}`,
      '',
    ].join('\n'),
  );
  return reports.every((report) => report.status === 'succeeded') ? 0 : 1;
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
