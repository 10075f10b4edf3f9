/**
 * `npm run bench:floor [-- --shape chain|wide] [-- --links N] [-- --units N --width N]`: Temporal's
 * own floor on this machine, the least any coordinator on it pays. The same dev server as
 * `npm run bench` (same flags), a worker with the product's latency settings, and workflows that do
 * nothing but run one process per activity: `sh -c ':'` one after another (chain) or
 * `sh -c 'sleep 1'`, 64 at once (wide). Compare its figures with `npm run bench`'s, measured back
 * to back: the difference is what agent-fanout adds (docs/performance.md).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { stopProcessGroup } from '../../activities/agent/process-group';
import { startDevServer } from '../../dev/dev-server';
import { requireTemporalCli } from '../../dev/find-temporal-cli';
import { killGroupWhenOwnerEnds } from '../../dev/kill-on-owner-exit';
import { loadAverage, log, round } from '../env';
import { distribution } from '../stats';
import { processCpu } from '../worker-process';
import { DEFAULT_MAX_CONCURRENT_AGENTS } from '../../worker/worker-options';
import type { LaunchStamps } from './floor-activities';
import type { floorChain, floorWide } from './floor-workflows';
import { chainLinksMs, wideFigures } from './floor-figures';
import { FLOOR_READY } from './floor-worker';

const WORKER_STOP_GRACE_MS = 10_000;

const USAGE = `usage: npm run bench:floor -- [--shape chain|wide] [--links N] [--units N] [--width N] [--shards N] [--address HOST:PORT] [--no-process] [--prefetch N]
  chain: N processes (sh -c ':') one after another, default 100
  wide:  N processes (sh -c 'sleep 1'), width at once, defaults 1000 and 64
  --shards N: wide split over N workflows run side by side, each with its share of units and width
  --address HOST:PORT: a running server's frontend (namespace default) instead of a dev server of its own
  --no-process: each activity only waits (0 ms in a chain, 1 s in wide): Temporal's part alone
  --prefetch N: wide starts N activities more than its width; they wait on the worker for a slot,
                so a slot is refilled without a workflow task in between (what that would gain)
`;

interface FloorOptions {
  readonly shape: 'chain' | 'wide';
  readonly links: number;
  readonly units: number;
  readonly width: number;
  readonly shards: number;
  readonly address: string | undefined;
  readonly process: boolean;
  readonly prefetch: number;
}

function parseFloorArgs(argv: readonly string[]): FloorOptions | string {
  const values = new Map<string, string>();
  const rest = argv.filter((arg) => arg !== '--no-process');
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value] = [rest[i], rest[i + 1]];
    if (
      flag === undefined ||
      !['--shape', '--links', '--units', '--width', '--shards', '--address', '--prefetch'].includes(flag) ||
      value === undefined
    )
      return `unknown or incomplete option ${String(flag)}\n${USAGE}`;
    values.set(flag, value);
  }
  const shape = values.get('--shape') ?? 'chain';
  if (shape !== 'chain' && shape !== 'wide') return `--shape must be chain or wide, not ${shape}\n${USAGE}`;
  const count = (flag: string, fallback: number): number => Number(values.get(flag) ?? fallback);
  const counts = {
    links: count('--links', 100),
    units: count('--units', 1000),
    width: count('--width', 64),
    shards: count('--shards', 1),
  };
  for (const [name, value] of Object.entries(counts)) {
    if (!(Number.isInteger(value) && value > 0)) return `--${name} must be a positive whole number\n${USAGE}`;
  }
  const prefetch = count('--prefetch', 0);
  if (!(Number.isInteger(prefetch) && prefetch >= 0)) return `--prefetch must be a whole number\n${USAGE}`;
  if (prefetch > 0 && shape !== 'wide') return `--prefetch applies to the wide shape only\n${USAGE}`;
  if (counts.shards > 1 && shape !== 'wide') return `--shards splits the wide shape only\n${USAGE}`;
  if (counts.shards > counts.width) return `--shards must be at most --width (${counts.width})\n${USAGE}`;
  return {
    shape,
    ...counts,
    address: values.get('--address'),
    process: !argv.includes('--no-process'),
    prefetch,
  };
}

async function startFloorWorker(address: string, taskQueue: string, maxConcurrent: number): Promise<number> {
  const child = spawn(
    process.execPath,
    [path.join(__dirname, 'floor-worker.js'), address, taskQueue, String(maxConcurrent)],
    { detached: true, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  killGroupWhenOwnerEnds(child.pid ?? -1);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(FLOOR_READY)) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`floor worker exited with ${String(code)}; its output is above`)),
    );
  });
  return child.pid ?? -1;
}

/** Shard `i` of `n` gets an even share of `total`, the first ones one more when it does not divide. */
function shareOf(total: number, shards: number, index: number): number {
  return Math.floor(total / shards) + (index < total % shards ? 1 : 0);
}

/** The wide shape as `shards` workflows started together; their stamps pooled. */
async function runWide(client: Client, taskQueue: string, options: FloorOptions): Promise<LaunchStamps[]> {
  const work = options.process ? { argv: ['sh', '-c', 'sleep 1'] } : { pauseMs: 1000 };
  const handles = await Promise.all(
    Array.from({ length: options.shards }, (_, index) =>
      client.workflow.start<typeof floorWide>('floorWide', {
        taskQueue,
        workflowId: `${taskQueue}-wide-${index}`,
        args: [
          work,
          shareOf(options.units, options.shards, index),
          shareOf(options.width, options.shards, index),
          shareOf(options.prefetch, options.shards, index),
        ],
      }),
    ),
  );
  return (await Promise.all(handles.map((handle) => handle.result()))).flat();
}

interface FloorServer {
  readonly address: string;
  /** The dev server's pid, for its CPU; null for a server given by `--address`. */
  readonly pid: number | null;
  stop(): Promise<void>;
}

/** The server given by `--address`, or a dev server of its own with `npm run bench`'s flags. */
async function floorServer(address: string | undefined): Promise<FloorServer> {
  if (address !== undefined) return { address, pid: null, stop: () => Promise.resolve() };
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'agent-fanout-floor-'));
  const server = await startDevServer({
    dbFile: path.join(scratch, 'temporal.sqlite'),
    cliPath: requireTemporalCli().path,
    log,
  });
  return {
    address: server.address,
    pid: server.pid,
    stop: async () => {
      await server.stop();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

function serverCpuSeconds(server: FloorServer): number | null {
  return server.pid === null ? null : processCpu(server.pid).own;
}

function report(options: FloorOptions, stamps: readonly LaunchStamps[], cpu: string): string {
  if (options.shape === 'chain') {
    const links = distribution(chainLinksMs(stamps));
    return `floor chain, ${options.links} × ${options.process ? "sh -c ':'" : 'no process'}: per-link ms p50 ${links?.p50} p95 ${links?.p95} max ${links?.max}; ${cpu}\n`;
  }
  const wide = wideFigures(stamps, options.width);
  const shards =
    (options.shards > 1 ? ` in ${options.shards} workflows` : '') +
    (options.prefetch > 0 ? `, ${options.prefetch} prefetched` : '');
  return `floor wide, ${options.units} × ${options.process ? "sh -c 'sleep 1'" : 'a 1 s wait'}, ${options.width} at once${shards}: makespan ${round(wide.makespanMs / 1000)} s, ideal ${round(wide.idealMs / 1000)} s, ratio ${round(wide.ratio, 3)}; ${cpu}\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseFloorArgs(argv);
  if (typeof options === 'string') {
    process.stderr.write(options);
    return 2;
  }
  const server = await floorServer(options.address);
  let workerPid = -1;
  try {
    const taskQueue = `floor-${Date.now()}`;
    const maxConcurrent = Math.max(DEFAULT_MAX_CONCURRENT_AGENTS, options.width + options.prefetch);
    workerPid = await startFloorWorker(server.address, taskQueue, maxConcurrent);
    const client = new Client({ connection: await Connection.connect({ address: server.address }) });
    const load = loadAverage();
    const before = { worker: processCpu(workerPid).own, server: serverCpuSeconds(server) };
    const stamps: LaunchStamps[] =
      options.shape === 'chain'
        ? await client.workflow.execute<typeof floorChain>('floorChain', {
            taskQueue,
            workflowId: `${taskQueue}-chain`,
            args: [options.process ? { argv: ['sh', '-c', ':'] } : { pauseMs: 0 }, options.links],
          })
        : await runWide(client, taskQueue, options);
    const after = { worker: processCpu(workerPid).own, server: serverCpuSeconds(server) };
    const serverCpu =
      before.server === null || after.server === null
        ? '— (not ours)'
        : `${round(after.server - before.server)} s`;
    const cpu = `worker CPU ${round(after.worker - before.worker)} s, server CPU ${serverCpu}, load at start ${load.join(' ')}`;
    process.stdout.write(report(options, stamps, cpu));
    await client.connection.close();
    return 0;
  } finally {
    // The worker goes first (SIGTERM, then SIGKILL after 10 s), so it never outlives its server.
    if (workerPid > 0) await stopProcessGroup(workerPid, WORKER_STOP_GRACE_MS);
    await server.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:floor failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
