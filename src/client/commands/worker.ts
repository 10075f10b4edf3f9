/**
 * `agent-fanout worker`: runs workflows and this host's agents until SIGINT or SIGTERM.
 *
 * Shutdown never stops an agent (SPEC §4.4: agent runs cost money, and a restarted worker must not
 * pay for them twice). On a signal the worker stops polling; attempts whose agents end within
 * `SHUTDOWN_GRACE_TIME` (2 s) complete normally. Then the SDK cancels the rest with reason
 * WORKER_SHUTDOWN; each leaves its agent running (its supervisor keeps recording it) and fails as a
 * retryable `AgentLeftRunning`. Temporal retries the attempt at once (the activity retry policy's
 * first interval, 1 s) on any worker of the task queue, which adopts the running agent, or reads its
 * recorded exit status if it has ended meanwhile. The process exits within `SHUTDOWN_FORCE_TIME`
 * (10 s) whatever happens; a second signal exits at once.
 *
 * With no worker left on the queue, the agents run on: each ends on its own, and its supervisor
 * records how, so the worker that comes back reads the outcome instead of running the agent again;
 * one that outlives its `agent.timeout` (plus grace and a 30 s margin) is stopped by its supervisor.
 * Adoption needs the same host (pids, /proc); a stopped container takes its agents with it.
 */
import { GracefulShutdownPeriodExpiredError } from '@temporalio/worker';
import { DEFAULT_MAX_CONCURRENT_AGENTS, SHUTDOWN_FORCE_TIME } from '../../worker/worker-options';
import { startFanoutWorker } from '../../worker/create-worker';
import type { ConnectionArgs } from '../connection/connection-options';
import { resolveConnection } from '../connection/connection-options';
import { UsageError } from '../errors';
import type { CommandIo, ExitCode } from '../io';
import { ServerUnavailable } from '../connection/server-errors';
import { securityFlagsInUse } from '../connection/connection-security';
import { installWorkerRuntime } from '../../worker/runtime';

export interface WorkerArgs extends ConnectionArgs {
  readonly maxConcurrentAgents?: string;
  readonly metricsPort?: string;
  readonly workdir?: string;
  readonly host?: string;
}

export async function run(args: WorkerArgs, io: CommandIo): Promise<ExitCode> {
  const connection = resolveConnection(args, io);
  const maxConcurrentAgents = parseConcurrency(args.maxConcurrentAgents);
  const metricsPort = parseMetricsPort(args.metricsPort ?? io.env.FANOUT_METRICS_PORT);
  installWorkerRuntime(metricsPort === undefined ? {} : { metricsPort });
  const hostChoice = {
    ...(args.workdir === undefined ? {} : { workdir: nonEmpty('--workdir', args.workdir) }),
    ...(args.host === undefined ? {} : { hostId: nonEmpty('--host', args.host) }),
  };
  const worker = await startFanoutWorker({ ...connection, maxConcurrentAgents, ...hostChoice }).catch(
    (error: unknown) => {
      throw isConnectionRefused(error)
        ? new ServerUnavailable(connection.address, error, securityFlagsInUse(connection.security ?? {}))
        : error;
    },
  );
  if (metricsPort !== undefined) io.stderr.write(`metrics on http://0.0.0.0:${metricsPort}/metrics\n`);
  io.stderr.write(
    `worker polling task queue '${connection.taskQueue}' at ${connection.address} (namespace ${connection.namespace}, ` +
      `up to ${maxConcurrentAgents} agents); Ctrl-C to stop\n`,
  );
  io.stderr.write(
    `host '${worker.host.id}', work directory ${worker.host.workdir}, own queue '${worker.host.queue}'\n`,
  );
  const stop = (signal: string): void => {
    io.stderr.write(
      `${signal}: stopping the worker (within ${SHUTDOWN_FORCE_TIME}); running agents keep running and ` +
        `another worker on this host adopts them. Send ${signal} again to exit at once.\n`,
    );
    void worker.shutdown();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  try {
    await worker.done;
  } catch (error) {
    if (!(error instanceof GracefulShutdownPeriodExpiredError)) throw error;
    io.stderr.write(
      `worker did not drain within ${SHUTDOWN_FORCE_TIME}; exiting anyway (agents keep running)\n`,
    );
    return 1;
  }
  return 0;
}

function nonEmpty(flag: string, value: string): string {
  if (value.trim() === '')
    throw new UsageError(`${flag} needs a value (got an empty one); leave it out for the default`);
  return value;
}

function parseMetricsPort(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= 1 && number <= 65535)) {
    throw new UsageError(`--metrics-port must be a port number from 1 to 65535 (got '${value}')`);
  }
  return number;
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
