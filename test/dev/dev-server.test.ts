/**
 * startDevServer, each test on a server of its own (not the shared one), on its own SQLite file.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { startDevServer, type DevServer } from '../../src/dev/dev-server';
import { requireTemporalCli } from '../../src/dev/find-temporal-cli';
import '../helpers/temporal'; // quiets the SDK's logs
import { smokeEchoWorkflow } from '../workflows/smoke-echo';

let tempDir: string;
const started: DevServer[] = [];

beforeEach(() => {
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'dev-server-test-'));
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop()));
  rmSync(tempDir, { recursive: true, force: true });
});

async function start(options: Parameters<typeof startDevServer>[0] = {}): Promise<DevServer> {
  const server = await startDevServer(options);
  started.push(server);
  return server;
}

/** The process's state letter and group from /proc, or undefined once it is gone. */
function procStat(pid: number): { state: string; pgid: number } | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return { state: fields[0] ?? '?', pgid: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

/** Signal 0 reaches it and it is not a zombie waiting to be reaped. */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return procStat(pid)?.state !== 'Z';
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(pid) && Date.now() < deadline) await sleep(50);
  return !isRunning(pid);
}

describe('startDevServer', () => {
  it('runs the server in a process group of its own, and stop() leaves no process of it behind', async () => {
    const server = await start();

    expect(isRunning(server.pid)).toBe(true);
    expect(procStat(server.pid)?.pgid).toBe(server.pid);
    expect(procStat(process.pid)?.pgid).not.toBe(server.pid);

    await server.stop();

    expect(isRunning(server.pid)).toBe(false);
    expect(() => process.kill(-server.pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }) as Error);
  });

  it('removes the temp folder it made for the database when no dbFile was given', async () => {
    const server = await start();
    expect(existsSync(server.dbFile)).toBe(true);

    await server.stop();

    expect(existsSync(path.dirname(server.dbFile))).toBe(false);
  });

  it("keeps a finished workflow's history for a server restarted on the same dbFile", async () => {
    const dbFile = path.join(tempDir, 'state.sqlite');
    const workflowId = 'restart-keeps-history';

    const first = await start({ dbFile });
    await withClient(first, async (client) => {
      // No worker polls this queue: terminating is the cheapest way to a closed execution.
      const handle = await client.workflow.start('notRegistered', { taskQueue: 'nobody-polls', workflowId });
      await handle.terminate('finished before the restart');
    });
    await first.stop();
    expect(existsSync(dbFile)).toBe(true);

    const second = await start({ dbFile });
    await withClient(second, async (client) => {
      const handle = client.workflow.getHandle(workflowId);
      expect((await handle.describe()).status.name).toBe('TERMINATED');
      const events = (await handle.fetchHistory()).events ?? [];
      expect(events.at(-1)?.workflowExecutionTerminatedEventAttributes?.reason).toBe(
        'finished before the restart',
      );
    });
  });

  it('keeps its state in WAL mode, and a server killed with SIGKILL loses none of it', async () => {
    const dbFile = path.join(tempDir, 'wal.sqlite');
    const workflowId = 'killed-server-keeps-history';

    const first = await start({ dbFile });
    await withClient(first, async (client) => {
      const handle = await client.workflow.start('notRegistered', { taskQueue: 'nobody-polls', workflowId });
      await handle.terminate('committed before the kill');
    });
    // Bytes 18 and 19 of a SQLite header are 2 in WAL mode, 1 with the rollback journal.
    expect([...readFileSync(dbFile).subarray(18, 20)]).toEqual([2, 2]);
    process.kill(-first.pid, 'SIGKILL');
    expect(await waitUntilGone(first.pid, 10_000)).toBe(true);
    // The commits live in the WAL until a checkpoint: it must survive beside the file.
    expect(existsSync(`${dbFile}-wal`)).toBe(true);

    const second = await start({ dbFile });
    await withClient(second, async (client) => {
      const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
      expect(events.at(-1)?.workflowExecutionTerminatedEventAttributes?.reason).toBe(
        'committed before the kill',
      );
    });
  });

  it('hands an activity to the worker in the workflow task answer (eager dispatch)', async () => {
    const server = await start({ dbFile: path.join(tempDir, 'eager.sqlite') });
    const connection = await NativeConnection.connect({ address: server.address });
    try {
      const taskQueue = 'eager-dispatch';
      const worker = await Worker.create({
        connection,
        namespace: server.namespace,
        taskQueue,
        workflowsPath: require.resolve('../workflows/smoke-echo'),
        activities: { echo: (text: string) => Promise.resolve(`echo: ${text}`) },
      });
      await withClient(server, async (client) => {
        const result = await worker.runUntil(
          client.workflow.execute(smokeEchoWorkflow, {
            taskQueue,
            workflowId: 'eager',
            args: [{ text: 'hi' }],
          }),
        );
        expect(result).toBe('echo: hi');
      });
    } finally {
      await connection.close();
    }

    // The server counts each activity it started this way, in metrics it publishes about once a
    // second. The CLI prints their port as localhost, which may resolve to ::1; the server listens
    // on 127.0.0.1 only.
    const port = /Temporal Metrics:\s+http:\/\/[^/]*:(\d+)\//.exec(readFileSync(server.logFile, 'utf8'))?.[1];
    expect(port).toBeDefined();
    const eagerStarts = async (): Promise<number> => {
      const metrics = await (await fetch(`http://127.0.0.1:${port ?? ''}/metrics`)).text();
      const counts = [...metrics.matchAll(/^activity_eager_execution\{[^}]*\} (\d+)$/gm)];
      return counts.reduce((sum, match) => sum + Number(match[1]), 0);
    };
    const deadline = Date.now() + 15_000;
    while ((await eagerStarts()) < 1 && Date.now() < deadline) await sleep(250);
    expect(await eagerStarts()).toBe(1);
  });

  it("rejects with the server's own output when the CLI exits before it is ready", async () => {
    const cliPath = path.join(tempDir, 'broken-temporal');
    writeFileSync(cliPath, '#!/bin/sh\necho "fatal: the database is locked" >&2\nexit 3\n', { mode: 0o755 });

    await expect(start({ cliPath, dbFile: path.join(tempDir, 'db.sqlite') })).rejects.toThrow(
      /exited before it was ready \(exit code 3\)[\s\S]*fatal: the database is locked/,
    );
  });

  it('tries again when the server exits because a port was taken before it could bind it', async () => {
    const realCli = requireTemporalCli().path;
    const cliPath = path.join(tempDir, 'first-port-taken');
    const marker = path.join(tempDir, 'tried-once');
    writeFileSync(
      cliPath,
      `#!/bin/sh
if [ ! -e '${marker}' ]; then
  touch '${marker}'
  echo 'panic: listen tcp 127.0.0.1:41234: bind: address already in use' >&2
  exit 2
fi
exec '${realCli}' "$@"
`,
      { mode: 0o755 },
    );

    const server = await start({ cliPath, dbFile: path.join(tempDir, 'db.sqlite') });

    expect(existsSync(marker)).toBe(true);
    expect(isRunning(server.pid)).toBe(true);
  });

  it.each([
    ['exits without calling stop()', 'process.exit(0)', 'exit code 0'],
    [
      'is interrupted with SIGINT, and the owner still dies of it',
      "process.kill(process.pid, 'SIGINT')",
      'SIGINT',
    ],
  ])('kills the server when its owner %s', async (_how, ending, ownerEnd) => {
    const owner = spawnOwner(path.join(tempDir, 'owned.sqlite'), ending);
    const serverPid = await owner.serverPid;

    expect(await owner.exit).toBe(ownerEnd);
    expect(await waitUntilGone(serverPid, 5_000)).toBe(true);
  });
});

async function withClient(server: DevServer, use: (client: Client) => Promise<void>): Promise<void> {
  const connection = await Connection.connect({ address: server.address });
  try {
    await use(new Client({ connection, namespace: server.namespace }));
  } finally {
    await connection.close();
  }
}

/**
 * A separate Node process that starts a server from the TypeScript source (transpiled on load),
 * prints its pid, then ends with `ending` without calling stop().
 */
function spawnOwner(dbFile: string, ending: string): { serverPid: Promise<number>; exit: Promise<string> } {
  const devServerModule = path.resolve(__dirname, '../../src/dev/dev-server.ts');
  const script = `
    const fs = require('node:fs');
    const ts = require('typescript');
    require.extensions['.ts'] = (module, filename) => {
      const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true };
      module._compile(ts.transpileModule(fs.readFileSync(filename, 'utf8'), { compilerOptions: options }).outputText, filename);
    };
    require(${JSON.stringify(devServerModule)})
      .startDevServer({ dbFile: ${JSON.stringify(dbFile)} })
      .then((server) => {
        process.stdout.write(server.pid + '\\n');
        setInterval(() => undefined, 1000); // stays up, as an owner does
        setTimeout(() => { ${ending}; }, 100);
      });
  `;
  const child = spawn(process.execPath, ['-e', script], {
    cwd: path.resolve(__dirname, '../..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exit = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? `exit code ${code}`)),
  );
  const serverPid = new Promise<number>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(Number(output.trim()));
    });
    void exit.then((how) => reject(new Error(`owner ended (${how}) before printing the server pid`)));
  });
  return { serverPid, exit };
}
