/**
 * The run store of a remote run (SPEC §10) on the real dev server: a run of enough units to
 * continue as new, served by two hosts whose work directories differ and started with no checkout
 * (repo ''), keeps its segments and its result on the remote; the result assembles from segments
 * other hosts wrote, and the client reads it from the remote alone.
 */
import { fetchChain } from '../../src/bench/chain';
import { awaitRecordedResult, awaitResult, startRun } from '../../src/client/fanout-client';
import { retryRun } from '../../src/client/run/retry-run';
import type { FanoutResult } from '../../src/plan/types';
import type { RunningWorker } from '../../src/worker/create-worker';
import { uniqueTaskQueue } from '../helpers/fanout-worker';
import { replayHistories } from '../helpers/replay';
import { testPlan, testUnit } from '../helpers/plan-factory';
import { FAKE_AGENT } from '../helpers/scenario-runner';
import { testClient } from '../helpers/temporal';
import { gitIn, gitRunInput, sourceRepo, useWorktreeFolder } from './git-run-helpers';
import { bareRemote, removeScratch, scratchFolder, startHost, type Client } from './hosts-helpers';

useWorktreeFolder();

let client: Client;
const workers: RunningWorker[] = [];

beforeAll(async () => {
  client = await testClient();
}, 60_000);

afterAll(async () => {
  for (const worker of workers) await worker.shutdown();
  await client.connection.close();
  removeScratch();
});

const UNITS = Array.from({ length: 40 }, (_, i) => `u${String(i).padStart(2, '0')}`);

const agent = (unitId: string): string[] => [
  FAKE_AGENT,
  '--write',
  `src/${unitId}/out.txt`,
  `from ${unitId}`,
  '--artifact',
  'report.md',
];

describe('a remote run that continues as new, with no checkout', () => {
  const taskQueue = uniqueTaskQueue('remote-store');
  const workflowId = `remote-store-${Date.now().toString(36)}`;
  const hosts = ['a', 'b'].map((id) => ({ id: `store-${id}`, workdir: scratchFolder(`store-${id}`) }));
  let remote: string;
  let recorded: FanoutResult;
  let result: FanoutResult;

  beforeAll(async () => {
    workers.push(...(await Promise.all(hosts.map((host) => startHost(taskQueue, host)))));
    const { repo, base } = sourceRepo();
    remote = bareRemote(repo);
    const plan = testPlan(
      UNITS.map((id) => testUnit(id, [], { command: agent(id) })),
      { name: 'remote-store', maxWorkers: 8 },
    );
    const handle = await startRun(client, {
      plan,
      repo: '',
      taskQueue,
      workflowId,
      git: gitRunInput(base, workflowId, { remote }),
      historyEventLimit: 300,
    });
    recorded = await awaitRecordedResult(handle);
    result = await awaitResult(handle);
  }, 480_000);

  it('continues as new and stores its result on the remote, returning only its git: path and digest', () => {
    expect(recorded.status).toBe('succeeded');
    expect(recorded.executions ?? 1).toBeGreaterThan(1);
    expect(recorded.units).toEqual({});
    expect(recorded.result_file).toMatch(new RegExp(`^git:refs/fanout/${workflowId}/store/[^/]+/result$`));
    const stored = gitIn(remote, 'for-each-ref', '--format=%(refname)', `refs/fanout/${workflowId}/store/`);
    const names = stored.split('\n').map((ref) => ref.slice(ref.lastIndexOf('/') + 1));
    expect(names).toContain('result');
    expect(names.filter((name) => name.startsWith('segment-')).length).toBeGreaterThan(1);
  });

  it('assembles every unit, run on both hosts, and the client reads it from the remote', () => {
    expect(result.status).toBe('succeeded');
    expect(result.result_file).toBe(recorded.result_file);
    expect(Object.keys(result.units)).toEqual(UNITS);
    for (const id of UNITS) expect(result.units[id]?.status).toBe('SUCCEEDED');
    const ran = new Set(UNITS.map((id) => result.units[id]?.host));
    expect(ran).toEqual(new Set(hosts.map((host) => host.id)));
    expect(result.events.filter((event) => event.type === 'worker_completed')).toHaveLength(UNITS.length);
  });

  it('replays every execution of the chain', async () => {
    const chain = await fetchChain(client, workflowId);
    const outcomes = await replayHistories(
      chain.map((execution) => ({ workflowId, history: execution.history })),
    );
    expect(outcomes).toEqual(chain.map(() => ({ workflowId })));
  });

  it('lets a retry from no checkout reuse every unit from the stored result on the remote', async () => {
    const retryId = `${workflowId}-retry`;
    const handle = await retryRun(client, workflowId, { workflowId: retryId, taskQueue });
    const retried = await awaitResult(handle);
    expect(retried.status).toBe('succeeded');
    for (const id of UNITS) expect(retried.units[id]?.reused_from).toBe(workflowId);
  }, 300_000);
});
