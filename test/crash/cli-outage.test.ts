/**
 * `agent-fanout run` follows a run through a server outage longer than the SDK's own retries
 * (about 20 s): a dedicated dev server is stopped for 30 s mid-run and started again on the same
 * SQLite file; the command says once that the server is gone and once that it is back, and exits
 * 0 with the result when the run succeeds; a `watch` detached by Ctrl-C meanwhile exits at once.
 * The shared test server is never touched.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startDevServer, type DevServer } from '../../src/dev/dev-server';
import { findTemporalCli } from '../../src/dev/find-temporal-cli';
import { CLI, FAKE_AGENT } from '../helpers/scenario-runner';
import {
  agentLog,
  countLines,
  makeRepo,
  reapEverything,
  requireBuiltCli,
  startWorkerProcess,
  waitFor,
} from './helpers';

const logDir = mkdtempSync(join(tmpdir(), 'fanout-outage-logs-'));
const servers: DevServer[] = [];

beforeAll(requireBuiltCli);
afterEach(async () => {
  await reapEverything();
  for (const server of servers.splice(0)) await server.stop();
});

describe('run through a 30 s server outage', () => {
  it('keeps following, says so once each way, and exits 0 when the run succeeds', async () => {
    const cli = findTemporalCli();
    if (!cli.found) throw new Error(cli.message);
    const dbFile = join(mkdtempSync(join(tmpdir(), 'fanout-outage-db-')), 'temporal.sqlite');
    const server = await startDevServer({ cliPath: cli.path, dbFile });
    servers.push(server);
    const port = Number(server.address.split(':').at(-1));
    const uiPort = Number(server.uiUrl.split(':').at(-1));
    const taskQueue = `outage-${process.pid}-${Date.now().toString(36)}`;
    const repo = makeRepo();
    const planFile = join(repo, '..', `${taskQueue}.json`);
    writeFileSync(
      planFile,
      JSON.stringify({
        name: 'outage',
        // The fake agent counts its starts in count.txt at the repo root, outside its area.
        confinement: 'off',
        agent: {
          command: [FAKE_AGENT, '--count', 'count.txt', '--ticks', '70', '500', '--artifact', 'out.md'],
        },
        work_units: [{ unit_id: 'a', description: 'ticks for 35 s', allowed_directories: ['src/a'] }],
      }),
    );
    await startWorkerProcess(server.address, taskQueue, { logDir });

    const id = `${taskQueue}-run`;
    const child = spawn(
      process.execPath,
      [
        CLI,
        'run',
        planFile,
        '--id',
        id,
        '--repo',
        repo,
        '--json',
        '--address',
        server.address,
        '--task-queue',
        taskQueue,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    await waitFor(
      'the agent at tick 3',
      () => (agentLog(repo, 'a').includes('tick 3') ? true : undefined),
      60_000,
    );
    // A second follower, to be detached with Ctrl-C (SIGINT, nobody to ask) while the server is away.
    const watcher = spawn(process.execPath, [CLI, 'watch', id, '--address', server.address], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let watched = '';
    watcher.stdout.on('data', (chunk: Buffer) => (watched += chunk.toString()));
    const watcherExited = new Promise<number | null>((resolve) => watcher.on('close', resolve));
    await waitFor(
      'the watcher to follow',
      () => (watched.includes('Ctrl-C detaches') ? true : undefined),
      60_000,
    );

    await server.stop();
    servers.pop();
    await delay(15_000);
    watcher.kill('SIGINT');
    expect(await watcherExited).toBe(130);
    expect(watched).toMatch(new RegExp(`detached from ${id}; the run goes on`));
    await delay(15_000);
    servers.push(await startDevServer({ cliPath: cli.path, dbFile, port, uiPort }));

    const code = await exited;
    expect(stderr.match(/the Temporal server does not answer/g)).toHaveLength(1);
    expect(stderr).toMatch(/the Temporal server answers again; following the run/);
    expect(stderr).not.toMatch(/this is a bug|^\s+at /m);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'succeeded', units: { a: { status: 'SUCCEEDED' } } });
    expect(countLines(repo)).toEqual(['a attempt=1']);
  });
});
