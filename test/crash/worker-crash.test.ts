/**
 * SPEC §4.4 with real worker processes: a worker killed with SIGKILL, a host crash (worker, agent
 * supervisors and agents all killed), and a graceful SIGTERM. Agent runs cost money: an agent that
 * is still running is adopted, never started twice; one that is gone starts over without using up
 * an agent attempt.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { awaitResult } from '../../src/client/fanout-client';
import type { Plan } from '../../src/plan/types';
import { FAKE_AGENT } from '../helpers/scenario-runner';
import { testClient, testServer } from '../helpers/temporal';
import { liveMembers, measured } from '../activities/helpers';
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
  waitFor,
} from './helpers';

let client: Client;
const logDir = mkdtempSync(join(tmpdir(), 'fanout-crash-logs-'));

beforeAll(async () => {
  requireBuiltCli();
  client = await testClient();
});
afterEach(reapEverything);
afterAll(async () => {
  await client?.connection.close();
});

function queue(label: string): string {
  return `crash-${label}-${process.pid}-${Date.now().toString(36)}`;
}

const UNITS = ['a', 'b', 'c'];

describe('a worker killed with SIGKILL', () => {
  it('has its running agents adopted by a new worker: each agent runs once, logs complete', async () => {
    const { address } = testServer();
    const taskQueue = queue('kill9');
    const repo = makeRepo();
    const first = await startWorkerProcess(address, taskQueue, { logDir });
    const handle = await startCrashRun(client, tickingPlan(UNITS, 36, 500), repo, taskQueue, taskQueue);
    await waitFor('every agent at tick 3', () => allPrinted(repo, UNITS, 'tick 3'));
    const records = new Map(
      attemptRecords(repo).map((record) => [record.logPath.split('/').at(-3) ?? '', record]),
    );
    expect([...records.keys()].sort()).toEqual(UNITS);

    const killedAt = Date.now();
    await killWorker(first);
    for (const record of records.values()) expect((await liveMembers(record.pgid)).length).toBeGreaterThan(0);
    const second = await startWorkerProcess(address, taskQueue, { logDir });
    const adopted = await adoptionsBy(handle, second, records);
    for (const [unitId, at] of adopted) measured(`SIGKILL to adoption of ${unitId}`, at - killedAt, 'ms');

    const result = await awaitResult(handle);
    expect(result.status).toBe('succeeded');
    expect(countLines(repo).sort()).toEqual(['a attempt=1', 'b attempt=1', 'c attempt=1']);
    for (const unitId of UNITS) {
      expect(agentLog(repo, unitId)).toEqual(ticks(36));
      expect(result.units[unitId]).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    }
    expect(await leftoverAgents(repo)).toEqual([]);
  });
});

describe('a worker killed with SIGKILL while its agents run confined (SPEC §8.1)', () => {
  it('leaves them confined: adopted by a new worker, they still cannot write outside their areas', async () => {
    const { address } = testServer();
    const taskQueue = queue('confined');
    const repo = makeRepo();
    const base = tickingPlan(['a', 'b'], 30, 500);
    const plan: Plan = {
      ...base,
      confinement: 'landlock',
      agent: {
        ...base.agent,
        command: [
          FAKE_AGENT,
          '--ticks',
          '30',
          '500',
          '--try-touch',
          'escaped-{unit_id}.txt',
          '--try-touch',
          'src/{unit_id}/inside.txt',
          '--artifact',
          'out.md',
        ],
      },
    };
    const first = await startWorkerProcess(address, taskQueue, { logDir });
    const handle = await startCrashRun(client, plan, repo, taskQueue, taskQueue);
    await waitFor('every agent at tick 2', () => allPrinted(repo, ['a', 'b'], 'tick 2'));
    const records = new Map(
      attemptRecords(repo).map((record) => [record.logPath.split('/').at(-3) ?? '', record]),
    );
    await killWorker(first);
    const second = await startWorkerProcess(address, taskQueue, { logDir });
    await adoptionsBy(handle, second, records);

    const result = await awaitResult(handle);
    expect(result.status).toBe('succeeded');
    for (const unitId of ['a', 'b']) {
      expect(result.units[unitId]).toMatchObject({
        status: 'SUCCEEDED',
        attempts: 1,
        confinement: 'landlock',
      });
      expect(existsSync(join(repo, `escaped-${unitId}.txt`))).toBe(false);
      expect(existsSync(join(repo, 'src', unitId, 'inside.txt'))).toBe(true);
      expect(agentLog(repo, unitId)).toContain(`denied escaped-${unitId}.txt`);
    }
    expect(await leftoverAgents(repo)).toEqual([]);
  });
});

describe('a host crash (worker, supervisors and agents all killed)', () => {
  it('starts the attempts again on a new worker without using up an agent attempt', async () => {
    const { address } = testServer();
    const taskQueue = queue('host');
    const repo = makeRepo();
    const first = await startWorkerProcess(address, taskQueue, { logDir });
    const handle = await startCrashRun(client, tickingPlan(UNITS, 10, 300), repo, taskQueue, taskQueue);
    await waitFor('every agent at tick 2', () => allPrinted(repo, UNITS, 'tick 2'));

    await killWorker(first);
    for (const record of attemptRecords(repo)) {
      process.kill(-record.supervisorPid, 'SIGKILL');
      process.kill(-record.pgid, 'SIGKILL');
    }
    await waitFor('every agent group to die', async () =>
      (await leftoverAgents(repo)).length === 0 ? true : undefined,
    );
    await startWorkerProcess(address, taskQueue, { logDir });

    const result = await awaitResult(handle);
    expect(result.status).toBe('succeeded');
    expect(countLines(repo).sort()).toEqual([
      'a attempt=1',
      'a attempt=1',
      'b attempt=1',
      'b attempt=1',
      'c attempt=1',
      'c attempt=1',
    ]);
    for (const unitId of UNITS) {
      expect(result.units[unitId]).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
      expect(agentLog(repo, unitId).slice(-10)).toEqual(ticks(10));
    }
    expect(await leftoverAgents(repo)).toEqual([]);
  });
});

describe('a worker stopped with SIGTERM', () => {
  it('exits within its bound, leaves its agents running, and a new worker adopts them', async () => {
    const { address } = testServer();
    const taskQueue = queue('sigterm');
    const repo = makeRepo();
    const first = await startWorkerProcess(address, taskQueue, { logDir });
    const handle = await startCrashRun(client, tickingPlan(UNITS, 24, 500), repo, taskQueue, taskQueue);
    await waitFor('every agent at tick 3', () => allPrinted(repo, UNITS, 'tick 3'));
    const records = new Map(
      attemptRecords(repo).map((record) => [record.logPath.split('/').at(-3) ?? '', record]),
    );

    const stoppedAt = Date.now();
    process.kill(first.pid, 'SIGTERM');
    expect(await first.exited).toBe(0);
    const exitMs = Date.now() - stoppedAt;
    expect(exitMs).toBeLessThan(10_000);
    expect(first.log()).toContain('running agents keep running');
    for (const record of records.values()) expect((await liveMembers(record.pgid)).length).toBeGreaterThan(0);

    measured('SIGTERM to worker exit', exitMs, 'ms');
    const second = await startWorkerProcess(address, taskQueue, { logDir });
    const adopted = await adoptionsBy(handle, second, records);
    for (const [unitId, at] of adopted) measured(`SIGTERM to adoption of ${unitId}`, at - stoppedAt, 'ms');
    const result = await awaitResult(handle);
    expect(result.status).toBe('succeeded');
    expect(countLines(repo).sort()).toEqual(['a attempt=1', 'b attempt=1', 'c attempt=1']);
    for (const unitId of UNITS) {
      expect(agentLog(repo, unitId)).toEqual(ticks(24));
      expect(result.units[unitId]).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    }
    expect(await leftoverAgents(repo)).toEqual([]);
  });
});
