/**
 * A server that does not know the Fanout* search attributes (a cluster whose namespace was made
 * before them, or one whose frontend has not seen them yet) still starts runs: without the
 * attributes, so `list` cannot find them, but nothing else changes. A dev server of its own,
 * started without the attributes that the shared test server registers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectClient, startRun } from '../../src/client/fanout-client';
import { FANOUT_PLAN } from '../../src/contracts/search-attributes';
import { findTemporalCli } from '../../src/dev/find-temporal-cli';
import { waitUntilServing } from '../../src/dev/wait-until-serving';
import { testPlan, testUnit } from '../helpers/plan-factory';

let server: ChildProcess | undefined;
const port = 24000 + Math.floor(Math.random() * 4000);

beforeAll(async () => {
  const cli = findTemporalCli();
  if (!cli.found) throw new Error(cli.message);
  const db = join(mkdtempSync(join(tmpdir(), 'fanout-no-sa-')), 'temporal.db');
  server = spawn(
    cli.path,
    ['server', 'start-dev', '--headless', '--ip', '127.0.0.1', '--port', String(port), '--db-filename', db],
    {
      stdio: 'ignore',
    },
  );
  await waitUntilServing({
    host: '127.0.0.1',
    port,
    namespace: 'default',
    timeoutMs: 60_000,
    exitReason: () => (server?.exitCode === null ? undefined : `exited ${server?.exitCode}`),
  });
}, 90_000);

afterAll(() => {
  server?.kill('SIGKILL');
});

it('starts the run without its search attributes when the server has no mapping for them', async () => {
  const client = await connectClient({ address: `127.0.0.1:${port}`, namespace: 'default' });
  try {
    const handle = await startRun(client, {
      plan: testPlan([testUnit('a')]),
      repo: tmpdir(),
      taskQueue: 'no-worker-needed',
      workflowId: `no-search-attributes-${Date.now().toString(36)}`,
    });
    const description = await handle.describe();
    expect(description.status.name).toBe('RUNNING');
    expect(description.typedSearchAttributes.get(FANOUT_PLAN)).toBeUndefined();
    await handle.terminate('test done');
  } finally {
    await client.connection.close();
  }
});
