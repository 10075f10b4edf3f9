/**
 * Runs a share of the acceptance scenarios against the real dev server and a real worker, then
 * replays every history they produced to catch non-determinism. Two test files each take half,
 * so Jest's two workers share the load.
 */
import { testServer, useFanoutWorker } from './fanout-worker';
import { replayWorkflows } from './replay';
import { loadScenarios, runScenario } from './scenario-runner';

export function describeScenarioShard(shard: number, shards: number): void {
  const scenarios = loadScenarios().filter((_, index) => index % shards === shard);

  describe(`acceptance scenarios, share ${shard + 1} of ${shards}`, () => {
    const fixture = useFanoutWorker(`scenarios-${shard}`);
    const workflowIds: string[] = [];

    it.each(scenarios.map((scenario) => [scenario.file, scenario] as const))(
      '%s',
      async (_file, scenario) => {
        const outcome = await runScenario(scenario, { ...testServer(), taskQueue: fixture.taskQueue });
        if (outcome.result?.workflow_id !== undefined) workflowIds.push(outcome.result.workflow_id);
        expect(outcome.problems).toEqual([]);
      },
    );

    it('replays every workflow history these scenarios produced without non-determinism', async () => {
      expect(workflowIds.length).toBeGreaterThan(0);
      const outcomes = await replayWorkflows(fixture.client(), workflowIds);
      expect(outcomes).toEqual(workflowIds.map((workflowId) => ({ workflowId })));
    });
  });
}
