/**
 * A Temporal dev server and an agent-fanout worker in this process, for `agent-fanout dev`,
 * `run --embedded` and `demo`. The server keeps its state in a SQLite file under `.agent/`, so a
 * later `agent-fanout dev` on the same file shows the history of runs made with `--embedded`.
 *
 * While it runs, `<db file>.owner.json` names the process that owns the file and where it serves;
 * a second server on the same file would corrupt it, so `run --embedded` and `demo` use the
 * running one instead, and a second `dev` is refused.
 */
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { LogEntry } from '@temporalio/worker';
import { startDevServer } from '../../dev/dev-server';
import { requireTemporalCli, TemporalCliNotFoundError } from '../../dev/find-temporal-cli';
import type { RunningWorker } from '../../worker/create-worker';
import { startFanoutWorker } from '../../worker/create-worker';
import { DEFAULT_MAX_CONCURRENT_AGENTS } from '../../worker/worker-options';
import { DEFAULT_DB_FILE, liveOwner, ownerFileOf, type OwnerRecord } from './dev-owner';
import { watchServerDeath } from './server-death';
import { CommandFailed, UsageError } from '../errors';

export { DEFAULT_DB_FILE };

export interface LocalTemporalOptions {
  /** Absolute SQLite path. */
  readonly dbFile: string;
  /** Frontend port; a free one when omitted. */
  readonly port?: number;
  /** Web UI port; a free one when omitted. */
  readonly uiPort?: number;
  readonly namespace: string;
  readonly taskQueue: string;
  /** One line per step, for people. */
  readonly log: (line: string) => void;
  /**
   * The worker's own warnings and errors (a failed agent attempt is one) go to this file, and only
   * its errors to `log`, so they do not tear the live display. Unset: all of them to `log`.
   */
  readonly workerLogFile?: string;
  /** When another process serves this database: use it (`run --embedded`, `demo`) or refuse (`dev`). */
  readonly whenOwned: 'reuse' | 'refuse';
}

export interface LocalTemporal {
  readonly address: string;
  readonly uiUrl: string;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly dbFile: string;
  /** True when another process (`agent-fanout dev`) serves the database and this one only uses it. */
  readonly reused: boolean;
  /** Stops the worker, then the server; resolves once both are gone. Running agents are not stopped. */
  stop(): Promise<void>;
  /**
   * Resolves with a message once the server this process started has died unasked (never for a
   * reused server); by then the worker is stopped as well.
   */
  readonly serverDied?: Promise<string>;
}

export async function startLocalTemporal(options: LocalTemporalOptions): Promise<LocalTemporal> {
  const ownerFile = ownerFileOf(options.dbFile);
  const owner = liveOwner(options.dbFile);
  if (owner !== undefined) {
    if (options.whenOwned === 'refuse') refuseSecondServer(options.dbFile);
    options.log(`using the dev server of pid ${owner.pid} at ${owner.address} (it serves ${options.dbFile})`);
    return { ...owner, dbFile: options.dbFile, reused: true, stop: () => Promise.resolve() };
  }

  const cli = requireTemporalCli();
  installQuietRuntime(workerLogger(options));
  options.log(`starting a Temporal dev server (state in ${options.dbFile})…`);
  const signalListeners = signalListenersNow();
  const server = await startDevServer({
    cliPath: cli.path,
    dbFile: options.dbFile,
    namespace: options.namespace,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.uiPort !== undefined ? { uiPort: options.uiPort } : {}),
  }).catch((error: unknown) => {
    if (error instanceof TemporalCliNotFoundError) throw error;
    throw new CommandFailed(
      `${error instanceof Error ? error.message : String(error)}\n` +
        `Next: look at the log above; if the state file is damaged, move ${options.dbFile} away together with its -wal and -shm files and try again, ` +
        'or run `npm run provision` to reinstall the Temporal CLI.',
      { cause: error },
    );
  });
  dropSignalListenersAddedSince(signalListeners);
  let worker: RunningWorker;
  try {
    worker = await startFanoutWorker({
      address: server.address,
      namespace: server.namespace,
      taskQueue: options.taskQueue,
      maxConcurrentAgents: DEFAULT_MAX_CONCURRENT_AGENTS,
    });
  } catch (error) {
    await server.stop();
    throw error;
  }
  const record: OwnerRecord = {
    pid: process.pid,
    address: server.address,
    uiUrl: server.uiUrl,
    namespace: server.namespace,
    taskQueue: options.taskQueue,
  };
  writeFileSync(ownerFile, `${JSON.stringify(record, null, 2)}\n`);
  const removeOwner = (): void => rmSync(ownerFile, { force: true });
  process.once('exit', removeOwner);

  let stopping: Promise<void> | undefined;
  const death = watchServerDeath(server.pid);
  const stop = (): Promise<void> => {
    death.stop();
    stopping ??= (async () => {
      await shutdownWithin(worker, WORKER_STOP_MS);
      await server.stop();
      removeOwner();
      process.off('exit', removeOwner);
    })();
    return stopping;
  };
  const serverDied = death.died.then(async () => {
    await stop();
    return (
      `the Temporal dev server this process started (pid ${server.pid}) has exited unexpectedly; its worker is stopped too. ` +
      `Its log is ${server.logFile}. Runs are kept in ${server.dbFile}: start \`agent-fanout dev\` in this directory to serve them again`
    );
  });
  return { ...record, dbFile: server.dbFile, reused: false, stop, serverDied };
}

/** A worker whose server has gone may wait for polls that never end; it is not waited for longer than this. */
const WORKER_STOP_MS = 15_000;

async function shutdownWithin(worker: RunningWorker, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    // A worker that failed has stopped as well; the server must still go.
    await Promise.race([worker.shutdown().catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Fails when another process serves `dbFile` already: a second server on it would corrupt it. */
export function refuseSecondServer(dbFile: string): void {
  const owner = liveOwner(dbFile);
  if (owner === undefined) return;
  throw new UsageError(
    `agent-fanout dev already serves ${dbFile} (pid ${owner.pid}, frontend ${owner.address}, Web UI ${owner.uiUrl}); ` +
      'use that one, or pass --db-file to start a second one on another database',
  );
}

/** Fails with a message naming the flag when the port is taken (`dev` wants 7233, not any port). */
export async function requireFreePort(port: number, flag: string): Promise<void> {
  const free = await new Promise<boolean>((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
  if (!free) {
    throw new UsageError(
      `port ${port} is in use (another Temporal server or agent-fanout dev?); pass ${flag} <port> to use another one`,
    );
  }
}

/**
 * The SDK's runtime by default shuts every worker down on SIGINT and logs every state change to
 * the console (the native side's own lines on stdout). Here Ctrl-C belongs to the command (it asks, or stops things in order), and the
 * worker's lines would tear the live display, so only its warnings go to `workerLog`.
 */
function installQuietRuntime(workerLog: (entry: LogEntry) => void): void {
  try {
    Runtime.install({
      shutdownSignals: [],
      logger: new DefaultLogger('WARN', workerLog),
      // The native side prints to stdout unless forwarded, which would break `run --json`.
      telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
    });
  } catch {
    // Installed already (a second local server in this process, as in tests): keep that one.
  }
}

function workerLogger(options: LocalTemporalOptions): (entry: LogEntry) => void {
  const { workerLogFile, log } = options;
  return (entry) => {
    const line = `${new Date().toISOString()} [worker ${entry.level.toLowerCase()}] ${entry.message}${metaText(entry.meta)}`;
    if (workerLogFile === undefined) {
      log(line);
      return;
    }
    try {
      appendFileSync(workerLogFile, `${line}\n`);
    } catch {
      // The log file is a convenience; the run does not depend on it.
    }
    if (entry.level === 'ERROR') log(`${line} (more in ${workerLogFile})`);
  };
}

function metaText(meta: LogEntry['meta']): string {
  if (meta === undefined) return '';
  const { sdkComponent: _component, ...rest } = meta as Record<string, unknown>;
  return Object.keys(rest).length === 0 ? '' : ` ${JSON.stringify(rest)}`;
}

type SignalListeners = ReadonlyMap<NodeJS.Signals, readonly unknown[]>;

const HANDLED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

function signalListenersNow(): SignalListeners {
  return new Map(HANDLED_SIGNALS.map((signal) => [signal, process.listeners(signal)]));
}

/**
 * startDevServer kills the server at once when this process gets SIGINT or SIGTERM, so that it
 * never outlives its owner. The commands here handle those signals themselves and stop the server
 * after the worker (and on Ctrl-C first ask whether to cancel the run, which needs the server), so
 * its signal hooks are taken off again; its exit hook stays, as the last resort.
 */
function dropSignalListenersAddedSince(before: SignalListeners): void {
  for (const signal of HANDLED_SIGNALS) {
    const earlier = before.get(signal) ?? [];
    for (const listener of process.listeners(signal)) {
      if (!earlier.includes(listener)) process.off(signal, listener as (...args: unknown[]) => void);
    }
  }
}
