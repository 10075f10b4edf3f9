/**
 * The worker's Prometheus endpoint on a cluster: scraped while a run goes and parsed with a
 * Prometheus text-format parser, its agent counters move with the run.
 */
import { makeRepo, waitFor } from '../crash/helpers';
import { runPlanWithCli, writeTickingPlan } from './harness/crash-run';
import { startFanoutWorker } from './harness/fanout-workers';
import type { ManagedProcess } from './harness/managed-process';
import { freeLoopbackPorts } from './harness/ports';
import { useCluster } from './harness/use-cluster';
import { counterValue, histogramCount, scrapeMetrics } from './harness/worker-metrics';

// One worker, so that every attempt of the run counts on the endpoint scraped.
const fixture = useCluster('metrics', { workers: 0 });
let worker: ManagedProcess | undefined;

afterAll(() => worker?.stop(15_000));

describe('agent-fanout worker --metrics-port on a cluster', () => {
  it('counts attempts started while the agents run, and succeeded once they end', async () => {
    const cluster = fixture.cluster();
    const [metricsPort = 0] = await freeLoopbackPorts(1);
    worker = await startFanoutWorker({
      address: cluster.address,
      namespace: cluster.namespace,
      taskQueue: fixture.taskQueue,
      logDir: fixture.logDir,
      metricsPort,
    });
    const before = await scrapeMetrics(metricsPort);
    expect(counterValue(before, 'agent_fanout_attempts_started')).toBe(0);

    const repo = makeRepo();
    const plan = writeTickingPlan(repo, ['a', 'b', 'c'], 16, 500);
    const cli = runPlanWithCli(cluster, plan, repo, fixture.taskQueue, `metrics-${process.pid}`);
    let ended = false;
    void cli.finally(() => (ended = true));
    const during = await waitFor(
      'three attempts started on the endpoint',
      async () => {
        const families = await scrapeMetrics(metricsPort).catch(() => undefined);
        return families !== undefined && counterValue(families, 'agent_fanout_attempts_started') === 3
          ? families
          : undefined;
      },
      120_000,
    );
    expect(ended).toBe(false);
    expect(counterValue(during, 'agent_fanout_attempts_succeeded')).toBe(0);

    const run = await cli;
    expect(run.code).toBe(0);
    const after = await scrapeMetrics(metricsPort);
    expect(counterValue(after, 'agent_fanout_attempts_started')).toBe(3);
    expect(counterValue(after, 'agent_fanout_attempts_succeeded')).toBe(3);
    expect(counterValue(after, 'agent_fanout_attempts_failed')).toBe(0);
    expect(histogramCount(after, 'agent_fanout_attempt_duration_seconds')).toBe(3);
    expect(after.some((family) => family.name.startsWith('temporal_'))).toBe(true);
  });
});
