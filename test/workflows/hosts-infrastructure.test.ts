/**
 * A remote run's attempt that fails outside its agent on every try (SPEC §10, the hosts design):
 * the workflow retries it on the shared queue with a backoff, at least MIN_INFRASTRUCTURE_TRIES
 * tries and the host-loss time, never consuming an agent attempt, then fails the unit with the
 * infrastructure failure's text.
 */
import type { temporal } from '@temporalio/proto';
import { awaitResult } from '../../src/client/fanout-client';
import type { FanoutResult } from '../../src/plan/types';
import type { RunningWorker } from '../../src/worker/create-worker';
import { MIN_INFRASTRUCTURE_TRIES } from '../../src/workflows/placed-attempt';
import { uniqueTaskQueue } from '../helpers/fanout-worker';
import { testPlan, testUnit } from '../helpers/plan-factory';
import { replayHistories } from '../helpers/replay';
import { FAKE_AGENT } from '../helpers/scenario-runner';
import { testClient } from '../helpers/temporal';
import { gitRunInput, sourceRepo, startGitRun, useWorktreeFolder } from './git-run-helpers';
import {
  bareRemote,
  placedTries,
  removeScratch,
  scratchFolder,
  startHost,
  type Client,
} from './hosts-helpers';

useWorktreeFolder();

describe('a remote attempt whose every try fails outside the agent', () => {
  const taskQueue = uniqueTaskQueue('hosts-infra');
  const workflowId = `hosts-infra-${Date.now().toString(36)}`;
  let client: Client;
  let workers: RunningWorker[] = [];
  let result: FanoutResult;
  let history: temporal.api.history.v1.IHistory;

  beforeAll(async () => {
    client = await testClient();
    workers = await Promise.all(
      ['a', 'b'].map((id) =>
        startHost(taskQueue, { id: `infra-${id}`, workdir: scratchFolder(`infra-${id}`) }),
      ),
    );
    const { repo } = sourceRepo();
    const missing = 'f'.repeat(40); // a base no repository has: every try fails making its starting point
    const command = [FAKE_AGENT, '--artifact', 'report.md'];
    const plan = testPlan([testUnit('solo', [], { command })], { name: 'hosts-infra' });
    const handle = await startGitRun(client, {
      plan,
      repo,
      workflowId,
      taskQueue,
      git: gitRunInput(missing, workflowId, { remote: bareRemote(repo), hostLossTimeoutMs: 1000 }),
    });
    result = await awaitResult(handle);
    history = await handle.fetchHistory();
  }, 240_000);

  afterAll(async () => {
    for (const worker of workers) await worker.shutdown();
    await client.connection.close();
    removeScratch();
  });

  it('fails the unit as an infrastructure failure after the bounded tries, one agent attempt', () => {
    expect(result.status).toBe('failed');
    const solo = result.units.solo;
    expect(solo?.status).toBe('FAILED');
    expect(solo?.error).toMatch(/^Worker 'solo' could not be run by any worker: /);
    expect(solo?.attempts).toBe(1);
  });

  it('tried the shared queue MIN_INFRASTRUCTURE_TRIES times, each one try only', () => {
    const tries = placedTries(history);
    expect(tries).toHaveLength(MIN_INFRASTRUCTURE_TRIES);
    for (const placed of tries) {
      expect(placed.taskQueue).toBe(taskQueue);
      expect(placed.maximumAttempts).toBe(1);
      expect(placed.input.attempt).toBe(1);
    }
  });

  it('replays against the current workflow code', async () => {
    const outcomes = await replayHistories([{ workflowId, history }]);
    expect(outcomes.filter((o) => o.error !== undefined)).toEqual([]);
  }, 120_000);
});
