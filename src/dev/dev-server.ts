/**
 * Runs `temporal server start-dev` as a separate child process in its own process group, for the
 * Jest global setup (one server for every test file and worker), `npm start` and
 * `agent-fanout dev`.
 *
 * The server keeps its state in a SQLite file, so a crash test can stop it and start a new one on
 * the same file with the history intact. The file is in WAL mode: the `-wal` and `-shm` files
 * beside it are part of the state (move or copy the three together). It binds to 127.0.0.1 on
 * free ports, serves the Web UI on its own port, and writes its output to a log file next to the
 * database. `startDevServer` returns once the frontend answers `getSystemInfo` and knows the
 * namespace; `stop()` returns once the whole process group is gone. If the parent exits or is
 * interrupted without calling `stop()`, the group is killed as well, so no server outlives its
 * owner.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stopProcessGroup } from '../activities/agent/process-group';
import { devServerArgs } from './dev-server-args';
import { requireTemporalCli } from './find-temporal-cli';
import { killGroupWhenOwnerEnds } from './kill-on-owner-exit';
import { ServerExitedError, waitUntilServing } from './wait-until-serving';

export interface DevServerOptions {
  /**
   * SQLite file holding the server's state. Start a new server on the same file to keep the history.
   * @default `temporal.sqlite` in a new temp folder, which `stop()` removes
   */
  readonly dbFile?: string;
  /** Frontend gRPC port. @default a free port */
  readonly port?: number;
  /** Web UI port. @default a free port */
  readonly uiPort?: number;
  /** Created at start when it is not `default` (which always exists). @default 'default' */
  readonly namespace?: string;
  /** Receives one line per step (starting, ready, stopping). @default silent */
  readonly log?: (message: string) => void;
  /** The `temporal` executable. @default found by requireTemporalCli() */
  readonly cliPath?: string;
  /** Where the server's stdout and stderr go (appended). @default `<dbFile>.log` */
  readonly logFile?: string;
  /** How long to wait for the frontend to answer. @default 60000 */
  readonly readyTimeoutMs?: number;
}

export interface DevServer {
  /** `host:port` of the frontend, for `Connection.connect` and `NativeConnection.connect`. */
  readonly address: string;
  /** The Web UI, e.g. `http://127.0.0.1:40123`. */
  readonly uiUrl: string;
  readonly namespace: string;
  readonly dbFile: string;
  readonly logFile: string;
  /** The server's pid, which is also its process group id. */
  readonly pid: number;
  /** From spawn until the frontend answered. */
  readonly startupMs: number;
  /** SIGTERM to the group, then SIGKILL if it has not exited within 10 s; resolves once the group is gone. */
  stop(): Promise<void>;
}

/** SIGTERM lets the server close SQLite cleanly; SIGKILL follows only after this long. */
const STOP_GRACE_MS = 10_000;
/** Attempts when a port was taken between being picked and being bound. */
const PORT_ATTEMPTS = 3;

/** Starts a dev server and waits until it serves the namespace. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const log = options.log ?? (() => undefined);
  const cliPath = options.cliPath ?? requireTemporalCli().path;
  const namespace = options.namespace ?? 'default';
  const ownedDir =
    options.dbFile === undefined ? mkdtempSync(path.join(os.tmpdir(), 'agent-fanout-temporal-')) : undefined;
  const dbFile = path.resolve(options.dbFile ?? path.join(ownedDir ?? '', 'temporal.sqlite'));
  mkdirSync(path.dirname(dbFile), { recursive: true });
  const logFile = path.resolve(options.logFile ?? `${dbFile}.log`);

  for (let attempt = 1; ; attempt++) {
    const [port, uiPort] = await choosePorts(options.port, options.uiPort);
    try {
      const server = await launch({
        cliPath,
        namespace,
        dbFile,
        logFile,
        port,
        uiPort,
        log,
        ownedDir,
        options,
      });
      log(`Temporal dev server ready at ${server.address} (UI ${server.uiUrl}) in ${server.startupMs} ms`);
      return server;
    } catch (error) {
      if (error instanceof PortTakenError && attempt < PORT_ATTEMPTS) {
        log(`port taken, retrying (${error.message.split('\n')[0] ?? ''})`);
        continue;
      }
      if (ownedDir !== undefined) rmSync(ownedDir, { recursive: true, force: true });
      throw error;
    }
  }
}

/** An early exit whose log says a port was already bound: worth another try on other ports. */
class PortTakenError extends Error {}

interface LaunchInput {
  readonly cliPath: string;
  readonly namespace: string;
  readonly dbFile: string;
  readonly logFile: string;
  readonly port: number;
  readonly uiPort: number;
  readonly log: (message: string) => void;
  readonly ownedDir: string | undefined;
  readonly options: DevServerOptions;
}

async function launch(input: LaunchInput): Promise<DevServer> {
  const { cliPath, namespace, dbFile, logFile, port, uiPort, log } = input;
  const address = `127.0.0.1:${port}`;
  const uiUrl = `http://127.0.0.1:${uiPort}`;
  const args = devServerArgs({ dbFile, port, uiPort, namespace });
  log(`starting ${cliPath} ${args.join(' ')}`);

  const logOffset = fileSize(logFile);
  const logFd = openSync(logFile, 'a');
  const startedAt = Date.now();
  const child = spawn(cliPath, args, { detached: true, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  // The owner hooks below, not the event loop, keep the server from outliving its owner.
  child.unref();

  let exitReason: string | undefined;
  child.once(
    'exit',
    (code, signal) => (exitReason = signal === null ? `exit code ${code}` : `signal ${signal}`),
  );
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid ?? -1));
    child.once('error', reject);
  }).catch((error: unknown) => {
    throw new Error(
      `Could not start ${cliPath}: ${errorText(error)}. Check the path, or run \`npm run provision\`.`,
    );
  });

  const releaseHooks = killGroupWhenOwnerEnds(pid);
  // Once the leader is gone its pid may be reused: stop guarding it.
  child.once('exit', releaseHooks);
  const stopOnce = async (): Promise<void> => {
    if (exitReason === undefined) await stopProcessGroup(pid, STOP_GRACE_MS);
    releaseHooks();
  };

  try {
    const timeoutMs = input.options.readyTimeoutMs ?? 60_000;
    await waitUntilServing({ host: '127.0.0.1', port, namespace, timeoutMs, exitReason: () => exitReason });
  } catch (error) {
    await stopOnce();
    const problem =
      error instanceof ServerExitedError ? `exited before it was ready (${error.message})` : errorText(error);
    const output = logSince(logFile, logOffset);
    const message = `Temporal dev server ${problem}.\nCommand: ${cliPath} ${args.join(' ')}\nLog (${logFile}):\n${excerpt(output)}`;
    // The CLI picks its internal ports itself; another process can take one before it binds.
    throw /address already in use/i.test(output) ? new PortTakenError(message) : new Error(message);
  }

  let stopping: Promise<void> | undefined;
  return {
    address,
    uiUrl,
    namespace,
    dbFile,
    logFile,
    pid,
    startupMs: Date.now() - startedAt,
    stop() {
      stopping ??= (async () => {
        log(`stopping Temporal dev server ${address} (pid ${pid})`);
        await stopOnce();
        if (input.ownedDir !== undefined) rmSync(input.ownedDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

/** The requested ports, or free ones on 127.0.0.1 (all held open together, so they differ). */
async function choosePorts(port?: number, uiPort?: number): Promise<[number, number]> {
  const listeners: net.Server[] = [];
  const freePort = async (): Promise<number> => {
    const server = net.createServer();
    listeners.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return (server.address() as net.AddressInfo).port;
  };
  try {
    return [port ?? (await freePort()), uiPort ?? (await freePort())];
  } finally {
    await Promise.all(listeners.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** What the server wrote to its log since `offset`. */
function logSince(file: string, offset: number): string {
  try {
    return readFileSync(file).subarray(offset).toString('utf8').trimEnd();
  } catch {
    return '';
  }
}

/**
 * A log shortened for an error message: from its first `panic:` or `Error:` line (Go prints the
 * cause first, then a long stack), else its last lines.
 */
function excerpt(log: string): string {
  const lines = log.split('\n');
  const cause = lines.findIndex((line) => /^(panic|fatal error|Error): /.test(line));
  return (cause >= 0 ? lines.slice(cause, cause + 12) : lines.slice(-20)).join('\n') || '(empty)';
}
