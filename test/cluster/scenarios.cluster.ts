/**
 * A sample of the shared acceptance scenarios, run end to end (`agent-fanout run --json`) against
 * a real cluster: PostgreSQL, four Temporal services as separate processes, two workers polling
 * one task queue. The same checks as `npm test` runs against the dev server.
 */
import { runCli, runScenario, writeScenarioPlan } from '../helpers/scenario-runner';
import { clusterScenarioSample } from './harness/scenario-sample';
import { useCluster } from './harness/use-cluster';
import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const fixture = useCluster('scenarios');

describe('acceptance scenarios on a cluster with two workers', () => {
  it.each(clusterScenarioSample().map(({ scenario, about }) => [scenario.file, about, scenario] as const))(
    '%s (%s)',
    async (_file, _about, scenario) => {
      const cluster = fixture.cluster();
      const outcome = await runScenario(scenario, {
        address: cluster.address,
        namespace: cluster.namespace,
        taskQueue: fixture.taskQueue,
      });
      expect(outcome.problems).toEqual([]);
    },
  );
});

describe('the cluster set up by the deploy scripts', () => {
  it('takes setup-schema.sh again without harm, as every `docker compose up` runs it', async () => {
    const output = await fixture.cluster().setupSchema();
    expect(output).toContain('both databases are at the latest schema version');
  });

  it('links a run to the Web UI that TEMPORAL_UI_URL names, not to a port guessed from the frontend', async () => {
    const cluster = fixture.cluster();
    const base = mkdtempSync(path.join(tmpdir(), 'fanout-cluster-ui-'));
    const repo = realpathSync(mkdtempSync(path.join(base, 'repo-')));
    const { scenario } = clusterScenarioSample()[0] ?? {};
    if (scenario === undefined) throw new Error('no scenario in the sample');
    const planFile = writeScenarioPlan(scenario, base);
    const ui = 'http://127.0.0.1:18080';
    const args = [
      'run',
      planFile,
      '--repo',
      repo,
      '--address',
      cluster.address,
      '--task-queue',
      fixture.taskQueue,
    ];
    const run = await runCli(args, 120_000, { ...process.env, TEMPORAL_UI_URL: ui });
    expect(run.code).toBe(0);
    const links = (run.stdout + run.stderr).match(/https?:\/\/\S+\/namespaces\/\S+/g) ?? [];
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link.startsWith(`${ui}/namespaces/default/workflows/`)).toBe(true);
  });
});
