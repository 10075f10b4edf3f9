/**
 * `--prefetch` across a worker's death (SIGKILL): the units whose agents ran are adopted by a new
 * worker, the units that waited on the dead worker for a slot wait again (or are scheduled again)
 * on the new one, and every agent runs exactly once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { awaitResult, startRun } from '../../src/client/fanout-client';
import { testClient, testServer } from '../helpers/temporal';
import {
  agentLog,
  allPrinted,
  countLines,
  killWorker,
  leftoverAgents,
  makeRepo,
  reapEverything,
  requireBuiltCli,
  startWorkerProcess,
  tickingPlan,
  ticks,
  waitFor,
} from './helpers';

let client: Client;
const logDir = mkdtempSync(join(tmpdir(), 'fanout-prefetch-crash-logs-'));

beforeAll(async () => {
  requireBuiltCli();
  client = await testClient();
});
afterEach(reapEverything);
afterAll(async () => {
  await client?.connection.close();
});

const UNITS = ['a', 'b', 'c', 'd', 'e', 'f'];

describe('a prefetching run whose worker is killed with SIGKILL', () => {
  it('finishes on a new worker with every agent run once', async () => {
    const { address } = testServer();
    const taskQueue = `crash-prefetch-${process.pid}-${Date.now().toString(36)}`;
    const repo = makeRepo();
    const first = await startWorkerProcess(address, taskQueue, { logDir });
    const plan = { ...tickingPlan(UNITS, 16, 300), maxWorkers: 3 };
    const handle = await startRun(client, { plan, repo, taskQueue, workflowId: taskQueue, prefetch: 3 });
    await waitFor('the first three agents at tick 3', () => allPrinted(repo, ['a', 'b', 'c'], 'tick 3'));
    await killWorker(first);
    await startWorkerProcess(address, taskQueue, { logDir });

    const result = await awaitResult(handle);
    expect(result.status).toBe('succeeded');
    expect(countLines(repo).sort()).toEqual(UNITS.map((unitId) => `${unitId} attempt=1`));
    for (const unitId of UNITS) {
      expect(agentLog(repo, unitId)).toEqual(ticks(16));
      expect(result.units[unitId]).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    }
    expect(await leftoverAgents(repo)).toEqual([]);
  }, 180_000);
});
