/**
 * `agent-fanout worker`: runs workflows and this host's agents until SIGINT or SIGTERM.
 *
 * On a signal the worker stops polling and lets Temporal hand its in-flight activities on: their
 * agents are cancelled through the SDK's shutdown (activities see a cancellation and stop their
 * process groups) before the process exits, so nothing is left running unobserved.
 */
import { DEFAULT_MAX_CONCURRENT_AGENTS } from '../../worker/worker-options';
import { startFanoutWorker } from '../../worker/create-worker';
import type { ConnectionArgs } from '../connection-options';
import { resolveConnection } from '../connection-options';
import { UsageError } from '../errors';
import type { CommandIo, ExitCode } from '../io';
import { ServerUnavailable } from '../server-errors';

export interface WorkerArgs extends ConnectionArgs {
  readonly maxConcurrentAgents?: string;
}

export async function run(args: WorkerArgs, io: CommandIo): Promise<ExitCode> {
  const connection = resolveConnection(args, io);
  const maxConcurrentAgents = parseConcurrency(args.maxConcurrentAgents);
  const worker = await startFanoutWorker({ ...connection, maxConcurrentAgents }).catch((error: unknown) => {
    throw isConnectionRefused(error) ? new ServerUnavailable(connection.address, error) : error;
  });
  io.stderr.write(
    `worker polling task queue '${connection.taskQueue}' at ${connection.address} (namespace ${connection.namespace}, ` +
      `up to ${maxConcurrentAgents} agents); Ctrl-C to stop\n`,
  );
  const stop = (signal: string): void => {
    io.stderr.write(`${signal}: stopping the worker; running agents are stopped before it exits\n`);
    void worker.shutdown();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  await worker.done;
  return 0;
}

function parseConcurrency(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_CONCURRENT_AGENTS;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= 1 && number <= 4096)) {
    throw new UsageError(`--max-concurrent-agents must be an integer from 1 to 4096 (got '${value}')`);
  }
  return number;
}

function isConnectionRefused(error: unknown): boolean {
  const text = error instanceof Error ? error.message : String(error);
  return /connect|transport|unavailable|refused/i.test(text);
}
