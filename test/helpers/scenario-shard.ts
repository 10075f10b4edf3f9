/**
 * Runs a share of the acceptance scenarios against the real dev server and a real worker, then
 * replays every history they produced to catch non-determinism. Two test files each take half,
 * so Jest's two workers share the load.
 */
import { Client, Connection } from '@temporalio/client';
import type { RunningWorker } from '../../src/worker/create-worker';
import { startTestWorker, testServer, uniqueTaskQueue } from './fanout-worker';
import { replayWorkflows } from './replay';
import { loadScenarios, runScenario } from './scenario-runner';

export function describeScenarioShard(shard: number, shards: number): void {
  const scenarios = loadScenarios().filter((_, index) => index % shards === shard);

  describe(`acceptance scenarios, share ${shard + 1} of ${shards}`, () => {
    const taskQueue = uniqueTaskQueue(`scenarios-${shard}`);
    const workflowIds: string[] = [];
    let worker: RunningWorker;

    beforeAll(async () => {
      worker = await startTestWorker(taskQueue);
    }, 120_000);

    afterAll(async () => {
      await worker?.shutdown();
    });

    it.each(scenarios.map((scenario) => [scenario.file, scenario] as const))(
      '%s',
      async (_file, scenario) => {
        const server = testServer();
        const outcome = await runScenario(scenario, { ...server, taskQueue });
        if (outcome.result?.workflow_id !== undefined) workflowIds.push(outcome.result.workflow_id);
        expect(outcome.problems).toEqual([]);
      },
    );

    it('replays every workflow history these scenarios produced without non-determinism', async () => {
      const server = testServer();
      const connection = await Connection.connect({ address: server.address });
      try {
        const client = new Client({ connection, namespace: server.namespace });
        expect(workflowIds.length).toBeGreaterThan(0);
        const outcomes = await replayWorkflows(client, workflowIds);
        expect(outcomes).toEqual(workflowIds.map((workflowId) => ({ workflowId })));
      } finally {
        await connection.close();
      }
    });
  });
}
