/**
 * SPEC §4.4 around the worker: the Temporal server stops mid-run and comes back on the same
 * SQLite file, and two workers share a task queue when one of them is killed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type DevServer } from '../../src/dev/dev-server';
import { findTemporalCli } from '../../src/dev/find-temporal-cli';
import type { AttemptRecord } from '../../src/activities/agent/attempt-record';
import { awaitResult } from '../../src/client/fanout-client';
import { measured } from '../activities/helpers';
import { testClient, testServer } from '../helpers/temporal';
import {
  adoptionsBy,
  agentLog,
  allPrinted,
  attemptRecords,
  countLines,
  killWorker,
  leftoverAgents,
  makeRepo,
  reapEverything,
  requireBuiltCli,
  startCrashRun,
  startWorkerProcess,
  tickingPlan,
  ticks,
  unitOfLog,
  waitFor,
} from './helpers';

const logDir = mkdtempSync(join(tmpdir(), 'fanout-crash-logs-'));
const servers: DevServer[] = [];

beforeAll(requireBuiltCli);
afterEach(async () => {
  await reapEverything();
  for (const server of servers.splice(0)) await server.stop();
});

function queue(label: string): string {
  return `crash-${label}-${process.pid}-${Date.now().toString(36)}`;
}

function byUnit(records: AttemptRecord[]): Map<string, AttemptRecord> {
  return new Map(records.map((record) => [unitOfLog(record.logPath), record]));
}

describe('the Temporal server stopped mid-run and started again on the same file', () => {
  it('lets the run continue and succeed with each agent started once', async () => {
    const cli = findTemporalCli();
    if (!cli.found) throw new Error(cli.message);
    const dbFile = join(mkdtempSync(join(tmpdir(), 'fanout-crash-db-')), 'temporal.sqlite');
    const server = await startDevServer({ cliPath: cli.path, dbFile });
    servers.push(server);
    const port = Number(server.address.split(':').at(-1));
    const uiPort = Number(server.uiUrl.split(':').at(-1));
    const taskQueue = queue('server');
    const repo = makeRepo();
    const units = ['a', 'b'];
    await startWorkerProcess(server.address, taskQueue, { logDir });
    const connection = await Connection.connect({ address: server.address });
    try {
      const client = new Client({ connection, namespace: server.namespace });
      const handle = await startCrashRun(client, tickingPlan(units, 50, 500), repo, taskQueue, taskQueue);
      await waitFor('every agent at tick 3', () => allPrinted(repo, units, 'tick 3'));

      await server.stop();
      servers.pop();
      // Longer than the heartbeat timeout: the server gives the attempts up when it is back.
      await delay(12_000);
      servers.push(await startDevServer({ cliPath: cli.path, dbFile, port, uiPort }));

      const result = await waitFor('the result after the restart', () =>
        awaitResult(handle).catch(() => undefined),
      );
      expect(result.status).toBe('succeeded');
      expect(countLines(repo).sort()).toEqual(['a attempt=1', 'b attempt=1']);
      for (const unitId of units) {
        expect(agentLog(repo, unitId)).toEqual(ticks(50));
        expect(result.units[unitId]).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
      }
      expect(await leftoverAgents(repo)).toEqual([]);
    } finally {
      await connection.close();
    }
  });
});

describe('two workers on one task queue', () => {
  it('spreads the units over both, and the survivor adopts the agents of the one killed', async () => {
    const { address } = testServer();
    const taskQueue = queue('peers');
    const repo = makeRepo();
    const units = ['a', 'b', 'c', 'd'];
    const client = await testClient();
    try {
      // The first worker takes two units at most, so the second gets the other two.
      const first = await startWorkerProcess(address, taskQueue, { logDir, maxConcurrentAgents: 2 });
      const handle = await startCrashRun(client, tickingPlan(units, 36, 500), repo, taskQueue, taskQueue);
      await waitFor('two agents', () => (attemptRecords(repo).length === 2 ? true : undefined));
      const second = await startWorkerProcess(address, taskQueue, { logDir });
      await waitFor('every agent at tick 2', () => allPrinted(repo, units, 'tick 2'));

      const records = attemptRecords(repo);
      const ofFirst = byUnit(records.filter((record) => record.worker.startsWith(`${first.pid}@`)));
      const ofSecond = records.filter((record) => record.worker.startsWith(`${second.pid}@`));
      expect(ofFirst.size).toBe(2);
      expect(ofSecond).toHaveLength(2);

      const killedAt = Date.now();
      await killWorker(first);
      const adopted = await adoptionsBy(handle, second, ofFirst);
      for (const [unitId, at] of adopted)
        measured(`peer killed to adoption of ${unitId}`, at - killedAt, 'ms');

      const result = await awaitResult(handle);
      expect(result.status).toBe('succeeded');
      expect(countLines(repo).sort()).toEqual(units.map((id) => `${id} attempt=1`));
      for (const unitId of units) {
        expect(agentLog(repo, unitId)).toEqual(ticks(36));
        expect(result.units[unitId]).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
      }
      expect(await leftoverAgents(repo)).toEqual([]);
    } finally {
      await client.connection.close();
    }
  });
});
