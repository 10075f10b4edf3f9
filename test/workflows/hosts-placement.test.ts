/**
 * Placement in a remote run (SPEC §10, the hosts design) on the real dev server with two real
 * workers ("hosts": their own work directory and host id, one task queue): units spread over both
 * hosts and record which ran them; an attempt whose host went away is bound to that host and
 * adopted when it comes back (its agent runs once); one whose host stays away past the host-loss
 * time is abandoned and starts over elsewhere, and the returning host stops the orphaned agent.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { temporal } from '@temporalio/proto';
import { awaitResult } from '../../src/client/fanout-client';
import {
  ABANDONED_ATTEMPTS_QUERY,
  attemptOwnerKey,
  hostQueueName,
  type AbandonedAttempt,
} from '../../src/contracts/hosts';
import type { FanoutResult } from '../../src/plan/types';
import type { RunningWorker } from '../../src/worker/create-worker';
import { uniqueTaskQueue } from '../helpers/fanout-worker';
import { testPlan, testUnit } from '../helpers/plan-factory';
import { replayHistories } from '../helpers/replay';
import { FAKE_AGENT } from '../helpers/scenario-runner';
import { testClient } from '../helpers/temporal';
import { gitRunInput, sourceRepo, startGitRun, useWorktreeFolder } from './git-run-helpers';
import {
  bareRemote,
  countedLines,
  eventually,
  isAlive,
  placedTries,
  removeScratch,
  scratchFolder,
  startHost,
  type Client,
  type TestHost,
} from './hosts-helpers';

useWorktreeFolder();

const histories: { workflowId: string; history: temporal.api.history.v1.IHistory }[] = [];
let client: Client;
const running = new Set<RunningWorker>();

beforeAll(async () => {
  client = await testClient();
}, 60_000);

afterAll(async () => {
  for (const worker of running) await worker.shutdown();
  await client.connection.close();
  removeScratch();
});

async function up(
  taskQueue: string,
  host: TestHost,
  sweepMs?: number,
  maxConcurrentAgents?: number,
): Promise<RunningWorker> {
  const worker = await startHost(taskQueue, host, sweepMs, maxConcurrentAgents);
  running.add(worker);
  return worker;
}

async function down(worker: RunningWorker): Promise<void> {
  await worker.shutdown();
  running.delete(worker);
}

function hostsNamed(label: string): [TestHost, TestHost] {
  return [
    { id: `${label}-a`, workdir: scratchFolder(`${label}-a`) },
    { id: `${label}-b`, workdir: scratchFolder(`${label}-b`) },
  ];
}

const agent = (unitId: string, ...actions: string[]) => [
  FAKE_AGENT,
  ...actions,
  '--write',
  `src/${unitId}/out.txt`,
  `from ${unitId}`,
  '--artifact',
  'report.md',
];

describe('a remote run served by two hosts', () => {
  const taskQueue = uniqueTaskQueue('hosts-spread');
  const workflowId = `hosts-spread-${Date.now().toString(36)}`;
  const [hostA, hostB] = hostsNamed('spread');
  const units = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8'];
  let result: FanoutResult;
  let history: temporal.api.history.v1.IHistory;

  beforeAll(async () => {
    // Four agents each: the eight units cannot all land on the host whose worker polled first.
    const [a, b] = await Promise.all([
      up(taskQueue, hostA, undefined, 4),
      up(taskQueue, hostB, undefined, 4),
    ]);
    const { repo, base } = sourceRepo();
    const plan = testPlan(
      units.map((id) => testUnit(id, [], { command: agent(id, '--sleep-ms', '1500') })),
      { name: 'hosts-spread', maxWorkers: 8 },
    );
    const handle = await startGitRun(client, {
      plan,
      repo,
      workflowId,
      taskQueue,
      git: gitRunInput(base, workflowId, { remote: bareRemote(repo) }),
    });
    result = await awaitResult(handle);
    history = await handle.fetchHistory();
    histories.push({ workflowId, history });
    await Promise.all([down(a), down(b)]);
  }, 240_000);

  it('succeeds with units on both hosts, each unit naming the host that ran it', () => {
    expect(result.status).toBe('succeeded');
    const hosts = units.map((id) => result.units[id]?.host);
    for (const host of hosts) expect([hostA.id, hostB.id]).toContain(host);
    expect(new Set(hosts).size).toBe(2);
  });

  it('places every attempt on the shared queue, retried by the workflow only, owned by its key', () => {
    const tries = placedTries(history);
    expect(tries).toHaveLength(units.length);
    for (const placed of tries) {
      expect(placed.taskQueue).toBe(taskQueue);
      expect(placed.maximumAttempts).toBe(1);
      expect(placed.input.ownerKey).toBe(attemptOwnerKey(placed.input.unit.unitId, placed.input.attempt));
      expect(placed.input.adopt).toBeUndefined();
    }
  });
});

describe('a host that goes away and comes back before the host-loss time', () => {
  const taskQueue = uniqueTaskQueue('hosts-return');
  const workflowId = `hosts-return-${Date.now().toString(36)}`;
  const [hostA, hostB] = hostsNamed('return');
  const counter = path.join(scratchFolder('return-count'), 'count.txt');
  let result: FanoutResult;
  let history: temporal.api.history.v1.IHistory;
  let abandoned: readonly AbandonedAttempt[];

  beforeAll(async () => {
    const a = await up(taskQueue, hostA);
    const { repo, base } = sourceRepo();
    const plan = testPlan(
      [testUnit('solo', [], { command: agent('solo', '--count', counter, '--sleep-ms', '6000') })],
      {
        name: 'hosts-return',
      },
    );
    const handle = await startGitRun(client, {
      plan,
      repo,
      workflowId,
      taskQueue,
      git: gitRunInput(base, workflowId, { remote: bareRemote(repo), hostLossTimeoutMs: 120_000 }),
    });
    await eventually('the agent to start on host a', () => countedLines(counter).length === 1);
    await down(a);
    const b = await up(taskQueue, hostB);
    // Host b polls the shared queue meanwhile: the attempt is bound to host a and must not go there.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const again = await up(taskQueue, hostA);
    result = await awaitResult(handle);
    history = await handle.fetchHistory();
    abandoned = await handle.query<readonly AbandonedAttempt[]>(ABANDONED_ATTEMPTS_QUERY);
    histories.push({ workflowId, history });
    await Promise.all([down(b), down(again)]);
  }, 240_000);

  it('adopts the agent on its host: one agent run, the unit on host a, nothing abandoned', () => {
    expect(result.status).toBe('succeeded');
    expect(countedLines(counter)).toEqual(['solo attempt=1']);
    expect(result.units.solo?.host).toBe(hostA.id);
    expect(abandoned).toEqual([]);
  });

  it('sent the second try to host a’s own queue with adopt', () => {
    const tries = placedTries(history);
    expect(tries.map((t) => t.taskQueue)).toEqual([taskQueue, hostQueueName(taskQueue, hostA.id)]);
    expect(tries[1]?.input.adopt).toBe(true);
    expect(tries[1]?.input.attempt).toBe(1);
  });

  it('leaves no live entry on host a', () => {
    expect(readdirSync(path.join(hostA.workdir, 'live')).filter((n) => n.endsWith('.json'))).toEqual([]);
  });
});

describe('a host that stays away past the host-loss time', () => {
  const taskQueue = uniqueTaskQueue('hosts-lost');
  const workflowId = `hosts-lost-${Date.now().toString(36)}`;
  const [hostA, hostB] = hostsNamed('lost');
  const scratch = scratchFolder('lost-count');
  const counter = path.join(scratch, 'count.txt');
  const pidFile = path.join(scratch, 'first.pid');
  let result: FanoutResult;
  let history: temporal.api.history.v1.IHistory;
  let abandoned: readonly AbandonedAttempt[];
  let orphanPid: number;
  let orphanGoneWhileRunRan = false;

  beforeAll(async () => {
    const a = await up(taskQueue, hostA);
    const { repo, base } = sourceRepo();
    const command = agent('solo', '--count', counter, '--pid-file', pidFile, '--sleep-ms', '15000');
    const plan = testPlan([testUnit('solo', [], { command })], { name: 'hosts-lost' });
    const handle = await startGitRun(client, {
      plan,
      repo,
      workflowId,
      taskQueue,
      // Bound for max(1 s, 12 s − 10 s heartbeat timeout) = 2 s before host a counts as lost.
      git: gitRunInput(base, workflowId, { remote: bareRemote(repo), hostLossTimeoutMs: 12_000 }),
    });
    await eventually('the agent to start on host a', () => countedLines(counter).length === 1);
    orphanPid = Number(countedLines(pidFile)[0]);
    await down(a);
    const b = await up(taskQueue, hostB);
    await eventually('the attempt to start over on host b', () => countedLines(counter).length === 2, 90_000);
    const again = await up(taskQueue, hostA, 500);
    await eventually('host a to stop its orphaned agent', () => !isAlive(orphanPid), 30_000);
    orphanGoneWhileRunRan = (await handle.describe()).status.name === 'RUNNING';
    result = await awaitResult(handle);
    history = await handle.fetchHistory();
    abandoned = await handle.query<readonly AbandonedAttempt[]>(ABANDONED_ATTEMPTS_QUERY);
    histories.push({ workflowId, history });
    await Promise.all([down(b), down(again)]);
  }, 240_000);

  it('starts the attempt over on host b, without consuming an agent attempt', () => {
    expect(result.status).toBe('succeeded');
    expect(countedLines(counter)).toEqual(['solo attempt=1', 'solo attempt=1']);
    expect(result.units.solo?.host).toBe(hostB.id);
    expect(result.units.solo?.attempts).toBe(1);
  });

  it('records the abandoned attempt, queryable by a returning host', () => {
    expect(abandoned).toEqual([{ unitId: 'solo', attempt: 1, host: hostA.id }]);
  });

  it('tried host a’s queue, then the shared queue again', () => {
    const queues = placedTries(history).map((t) => t.taskQueue);
    expect(queues).toEqual([taskQueue, hostQueueName(taskQueue, hostA.id), taskQueue]);
  });

  it('has the returning host stop the orphan while the run still ran and remove its live entry', () => {
    expect(orphanGoneWhileRunRan).toBe(true);
    expect(readdirSync(path.join(hostA.workdir, 'live')).filter((n) => n.endsWith('.json'))).toEqual([]);
  });
});

describe('the recorded histories of these runs', () => {
  it('replay against the current workflow code', async () => {
    expect(histories.length).toBeGreaterThan(0);
    const outcomes = await replayHistories(histories);
    expect(outcomes.filter((o) => o.error !== undefined)).toEqual([]);
  }, 120_000);
});
