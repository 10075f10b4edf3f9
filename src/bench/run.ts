/**
 * `npm run bench [-- --quick] [-- --shape <name>] [-- --all]`: the coordinator benchmark.
 *
 * Starts its own Temporal dev server (SQLite in a temp folder) and one worker as a child process
 * (`node bin/agent-fanout.js worker`), runs each plan shape of `shapes.ts` with the fake agent
 * as a real run through the typed client, reads each run's result, history (every execution of
 * its chain, when it continued as new) and agent stamps, replays the history to time the workflow
 * code alone, prints its tables and writes everything to `bench/results/<ISO time>.json`. It
 * stops the worker, the server and every agent before it exits, also when a run fails. Metric
 * definitions: `metrics.ts`; shapes: `shapes.ts`; one shape's run: `run-shape.ts`; the results
 * file and tables: `results.ts`; see bench/README.md.
 *
 * Shapes: by default chain, wide, lattice, dag and cancel (`cancel.ts`: failure -> every
 * sibling's process group gone, repeated runs). `scale` (`scale.ts`: 10,000 units, then its
 * progress, result and retry, against `scale-base` and `scale-base-wide` at 100 units) takes
 * well over 10 minutes on 2 cores, so it runs only with `--shape scale` or `--all`;
 * `--scale-units N` shrinks it and `--history-event-limit N` makes it continue as new sooner, to
 * try the code paths. `workspace` (`workspace.ts`: git working trees vs the shared checkout on
 * repositories of 10,000 and 100,000 files) and `hosts` (`hosts.ts`: a shared git remote, one
 * worker vs two) also run only with `--shape` or `--all`. Every run is checked against Temporal's limits (10,240 events per execution,
 * 2 MiB per payload); a run that breaks one fails the bench (exit 1), as does a failed run or a
 * failed check. Targets (cancel p95, overhead ratio, RSS) are reported as met or MISSED.
 *
 * A script, not a test: Jest only looks under test/.
 */
import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { connectClient } from '../client/fanout-client';
import { startDevServer, type DevServer } from '../dev/dev-server';
import { requireTemporalCli } from '../dev/find-temporal-cli';
import { defaultBundlePath } from '../worker/create-worker';
import { CANCEL_RUNS, parseArgs, SCALE_QUICK_UNITS, USAGE, type Options } from './args';
import { runCancelShape } from './cancel';
import { loadAverage, log, type Environment } from './env';
import {
  benchHealthy,
  resultsDocument,
  summaryText,
  versions,
  writeResults,
  type BenchOutcome,
} from './results';
import { runShape } from './run-shape';
import { scaleChecks, scaleTargets } from './scale';
import type { ShapeReport } from './shape-report';
import {
  benchShapes,
  cancelShape,
  SCALE_BASE_UNITS,
  SCALE_UNITS,
  scaleShape,
  type ShapeName,
} from './shapes';
import { startWorkerProcess, WORKER_MALLOC_ARENA_MAX, type WorkerProcess } from './worker-process';
import { runWorkspaceShape } from './workspace';
import { runHostsShape } from './hosts';
import { DISK_STILL_SETTLING_MICROS, fileCreateMicros, settlingCostPerLaunchMs } from './create-cost';

/** Where the `workspace` shape's repositories and working trees go (SPEC §9's default root is here too). */
const GIT_SCRATCH_PARENT = '/var/tmp';

async function main(argv: readonly string[]): Promise<number> {
  const options = parseArgs(argv);
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
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
  const machineAtStart = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()}`,
    loadAverageStart: loadAverage(),
  };
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'agent-fanout-bench-'));
  log(
    `scratch folder ${scratch} (${entriesBeside(scratch)} entries beside its path: a Landlock rule each ` +
      `per confined launch); load average ${machineAtStart.loadAverageStart.join(' ')}`,
  );
  const createMicros = fileCreateMicros(scratch);
  log(
    `creating a file or folder there costs ${createMicros} µs of CPU (a launch creates about ten; docs/performance.md)`,
  );
  if (createMicros > DISK_STILL_SETTLING_MICROS) {
    log(
      `that disk is still paying for a recent large delete: CPU per launch will read about ` +
        `${settlingCostPerLaunchMs(createMicros)} ms high. For figures to ` +
        `compare, wait a few quiet minutes and run again, or point TMPDIR at a tmpfs`,
    );
  }

  const setup = { cliPath: cli.path, bundlePath, scratch, taskQueue: `bench-${runLabel}`, options };
  const outcome = await inBenchEnvironment(setup, (env, client) =>
    runSelectedShapes(env, client, options, runLabel),
  );
  const machine = { ...machineAtStart, fileCreateMicros: createMicros, loadAverageEnd: loadAverage() };
  const mode = options.quick ? 'quick' : 'full';
  const found = versions(cli.path);
  const document = resultsDocument(
    { startedAt, mode, selected: options.shapes, machine, versions: found },
    outcome,
  );
  const outFile = writeResults(options.outDir, startedAt, document);
  process.stdout.write(summaryText(mode, machine, found, outcome, outFile));
  return benchHealthy(outcome) ? 0 : 1;
}

interface BenchSetup {
  readonly cliPath: string;
  readonly bundlePath: string;
  readonly scratch: string;
  readonly taskQueue: string;
  readonly options: Options;
}

/**
 * Starts the dev server and the worker process, connects a client, runs `body`, then stops them
 * all and removes the scratch folder, also when `body` throws.
 */
async function inBenchEnvironment<T>(
  setup: BenchSetup,
  body: (env: Environment, client: Client) => Promise<T>,
): Promise<T> {
  const { cliPath, bundlePath, scratch, taskQueue, options } = setup;
  let server: DevServer | undefined;
  let worker: WorkerProcess | undefined;
  // Outside $HOME and os.tmpdir(): big repositories, and working trees Landlock can confine.
  const gitScratch = options.shapes.includes('workspace')
    ? realpathSync(mkdtempSync(path.join(GIT_SCRATCH_PARENT, 'agent-fanout-bench-')))
    : undefined;
  try {
    server = await startDevServer({ dbFile: path.join(scratch, 'temporal.sqlite'), cliPath, log });
    worker = await startWorkerProcess({
      address: server.address,
      namespace: server.namespace,
      taskQueue,
      logFile: path.join(scratch, 'worker.log'),
      ...(options.profileDir === undefined ? {} : { profileDir: options.profileDir }),
      ...(gitScratch === undefined ? {} : { env: { FANOUT_WORKTREES: path.join(gitScratch, 'trees') } }),
    });
    log(
      `worker pid ${worker.pid} ready in ${worker.startupMs} ms ` +
        `(MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? WORKER_MALLOC_ARENA_MAX}, as in the worker image)`,
    );
    if (options.profileDir !== undefined)
      log(`profiling the worker: its .cpuprofile files go to ${options.profileDir} when it stops`);
    const client = await connectClient({ address: server.address, namespace: server.namespace });
    try {
      const env = { server, worker, taskQueue, scratch, bundlePath };
      return await body(gitScratch === undefined ? env : { ...env, gitScratch }, client);
    } finally {
      await client.connection.close();
    }
  } finally {
    await worker?.stop();
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
    if (gitScratch !== undefined) {
      log(`removing ${gitScratch} (the workspace repositories and working trees; minutes at 100,000 files)`);
      rmSync(gitScratch, { recursive: true, force: true });
    }
  }
}

/** The throughput shapes, then `cancel`, `scale` and `workspace` when selected. */
async function runSelectedShapes(
  env: Environment,
  client: Client,
  options: Options,
  runLabel: string,
): Promise<BenchOutcome> {
  const selected = (name: ShapeName): boolean => options.shapes.includes(name);
  const reports: ShapeReport[] = [];
  for (const shape of benchShapes(options.quick).filter((each) => selected(each.name as ShapeName)))
    reports.push(
      await runShape(
        env,
        client,
        shape,
        runLabel,
        options.prefetch === undefined ? {} : { prefetch: options.prefetch },
      ),
    );
  let cancel: BenchOutcome['cancel'];
  if (selected('cancel')) {
    const runs = options.cancelRuns ?? (options.quick ? CANCEL_RUNS.quick : CANCEL_RUNS.full);
    cancel = await runCancelShape(env, client, cancelShape(), runs, runLabel, options.prefetch);
  }
  let scale: BenchOutcome['scale'];
  if (selected('scale')) {
    const units = options.scaleUnits ?? (options.quick ? SCALE_QUICK_UNITS : SCALE_UNITS);
    const baselines = [
      await runShape(env, client, scaleShape(SCALE_BASE_UNITS, 'scale-base'), runLabel),
      await runShape(env, client, scaleShape(SCALE_BASE_UNITS, 'scale-base-wide', 1), runLabel),
    ];
    reports.push(...baselines);
    const bigShape = scaleShape(units, 'scale');
    const big = await runShape(env, client, bigShape, runLabel, {
      after: (run) => scaleChecks(client, env, run.handle, run.workflowId, bigShape, run.result, run.chain),
      ...(options.historyEventLimit === undefined ? {} : { historyEventLimit: options.historyEventLimit }),
      ...(options.prefetch === undefined ? {} : { prefetch: options.prefetch }),
    });
    reports.push(big);
    scale = { report: big, targets: scaleTargets(baselines, big, big.process.workerPeakRssMiB) };
  }
  let workspace: BenchOutcome['workspace'];
  if (selected('workspace') && env.gitScratch !== undefined)
    workspace = await runWorkspaceShape(env, client, options.quick, runLabel, env.gitScratch);
  const hosts = selected('hosts') ? await runHostsShape(env, client, runLabel) : undefined;
  return {
    reports,
    ...(cancel === undefined ? {} : { cancel }),
    ...(scale === undefined ? {} : { scale }),
    ...(workspace === undefined ? {} : { workspace }),
    ...(hosts === undefined ? {} : { hosts }),
  };
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

/** The entries of the folders on the way to `folder`, the way itself left out (what the supervisor makes a Landlock rule for). */
function entriesBeside(folder: string): number {
  let count = 0;
  for (let at = path.resolve(folder); at !== path.dirname(at); at = path.dirname(at)) {
    count += readdirSync(path.dirname(at)).length - 1;
  }
  return count;
}
