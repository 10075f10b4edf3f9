/**
 * `agent-fanout dev`: a local Temporal dev server (state in `.agent/temporal-dev.sqlite`), its Web
 * UI and an agent-fanout worker, in one process, until Ctrl-C or SIGTERM; then the worker stops,
 * then the server, and neither is left running. Agents still running are not stopped (a worker's
 * shutdown never stops an agent, see commands/worker.ts): the next `dev` on the same state file
 * adopts them.
 */
import { resolve } from 'node:path';
import { DEFAULT_TASK_QUEUE } from '../../contracts/connection';
import { CommandFailed, UsageError } from '../errors';
import type { CommandIo, ExitCode } from '../io';
import {
  DEFAULT_DB_FILE,
  refuseSecondServer,
  requireFreePort,
  startLocalTemporal,
} from '../connection/local-temporal';

/** The frontend port clients use when given no --address (SPEC §6: localhost:7233). */
export const DEFAULT_DEV_PORT = 7233;
/** The Temporal CLI's convention, which the Web UI links assume: frontend port + 1000. */
const UI_PORT_OFFSET = 1000;

export interface DevArgs {
  /** As typed. */
  readonly port?: string;
  readonly uiPort?: string;
  readonly dbFile?: string;
  readonly namespace?: string;
  readonly taskQueue?: string;
  /** Show the worker's warnings (every failed agent attempt is one) here, not only in its log file. */
  readonly verbose?: boolean;
}

export async function run(args: DevArgs, io: CommandIo): Promise<ExitCode> {
  const port = parsePort(args.port, '--port') ?? DEFAULT_DEV_PORT;
  const uiPort = parsePort(args.uiPort, '--ui-port') ?? port + UI_PORT_OFFSET;
  const dbFile = resolve(io.cwd, args.dbFile ?? DEFAULT_DB_FILE);
  const taskQueue = args.taskQueue ?? DEFAULT_TASK_QUEUE;
  const workerLogFile = `${dbFile}.worker.log`;
  refuseSecondServer(dbFile);
  await requireFreePort(port, '--port');
  await requireFreePort(uiPort, '--ui-port');

  const local = await startLocalTemporal({
    dbFile,
    port,
    uiPort,
    namespace: args.namespace ?? 'default',
    taskQueue,
    log: (line) => io.stderr.write(`${line}\n`),
    ...(args.verbose === true ? {} : { workerLogFile }),
    whenOwned: 'refuse',
  });
  const stopped = new Promise<NodeJS.Signals>((resolveSignal) => {
    process.once('SIGINT', () => resolveSignal('SIGINT'));
    process.once('SIGTERM', () => resolveSignal('SIGTERM'));
  });
  // Not restarted: a server that died once on this state file (full disk, damaged file, OOM) would
  // most likely die again, and a loop of restarts would hide why. One clear stop says it.
  const died = local.serverDied?.then((message) => {
    throw new CommandFailed(message);
  });
  const addressFlag = port === DEFAULT_DEV_PORT ? '' : ` --address ${local.address}`;
  io.stdout.write(
    [
      'agent-fanout dev is up; Ctrl-C stops it.',
      `  Temporal frontend  ${local.address}`,
      `  Web UI             ${local.uiUrl}`,
      `  Namespace          ${local.namespace}`,
      `  Task queue         ${taskQueue} (served by a worker in this process)`,
      `  State              ${dbFile}`,
      ...(args.verbose === true
        ? []
        : [`  Worker log         ${workerLogFile} (failed attempts in detail; --verbose shows them here)`]),
      'Run a plan from another terminal:',
      `  agent-fanout run plan.yaml${addressFlag}${taskQueue === DEFAULT_TASK_QUEUE ? '' : ` --task-queue ${taskQueue}`}`,
      '',
    ].join('\n'),
  );

  const signal = await (died === undefined ? stopped : Promise.race([stopped, died]));
  io.stderr.write(
    `${signal}: stopping the worker, then the server. Agents still running go on; ` +
      'the next `agent-fanout dev` here picks their runs up again.\n',
  );
  const again = (): void => void io.stderr.write('still stopping; the server follows the worker shortly\n');
  process.on('SIGINT', again);
  try {
    await local.stop();
  } finally {
    process.off('SIGINT', again);
  }
  io.stderr.write('stopped: the worker and the server have exited\n');
  return 0;
}

function parsePort(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= 1 && number <= 65535)) {
    throw new UsageError(`${flag} must be a port number from 1 to 65535 (got '${value}')`);
  }
  return number;
}
