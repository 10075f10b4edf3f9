/**
 * Issue 17 "Done when": the git scenarios (test/workflows/scenarios-git.test.ts) pass with two
 * workers and a remote: each scenario's R is cloned bare as the remote, the run gets `--remote`
 * and no `--repo` from a directory with no checkout, and two worker processes with their own
 * `--workdir` serve the queue. Same events, statuses, errors and exit codes as in shared mode;
 * the refs, the branch and the evidence are checked on the remote (hosts-scenario.ts). Then every
 * history is replayed to catch non-determinism in the remote paths of the workflow.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { requireBuiltCli } from '../client/helpers/built-cli';
import { testServer, uniqueTaskQueue } from '../helpers/fanout-worker';
import { reapHosts, startHostWorker } from '../helpers/hosts-workers';
import { replayWorkflows } from '../helpers/replay';
import { GIT_SCENARIOS } from '../helpers/scenario-git';
import { loadScenarios, runScenario } from '../helpers/scenario-runner';
import { testClient } from '../helpers/temporal';

const taskQueue = uniqueTaskQueue('hosts-scenarios');
const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-hosts-scenarios-')));
const workdirs = ['host-a', 'host-b'].map((hostId) => path.join(root, hostId));
for (const workdir of workdirs) mkdirSync(workdir);
let client: Client;

beforeAll(async () => {
  requireBuiltCli();
  client = await testClient();
  await Promise.all(
    workdirs.map((workdir) =>
      startHostWorker({ taskQueue, hostId: path.basename(workdir), workdir, maxAgents: 8 }),
    ),
  );
}, 120_000);
afterAll(async () => {
  await client?.connection.close();
  await reapHosts();
  rmSync(root, { recursive: true, force: true });
});

describe('acceptance scenarios in git mode with a remote and two workers', () => {
  const workflowIds: string[] = [];
  const hostsSeen = new Set<string>();
  const scenarios = loadScenarios().filter((scenario) => GIT_SCENARIOS.includes(scenario.file));

  it('finds every chosen scenario', () => {
    expect(scenarios.map((scenario) => scenario.file)).toEqual(GIT_SCENARIOS);
  });

  it.each(scenarios.map((scenario) => [scenario.file, scenario] as const))('%s', async (_file, scenario) => {
    const outcome = await runScenario(scenario, { ...testServer(), taskQueue }, { hosts: { workdirs } });
    if (outcome.result?.workflow_id !== undefined) workflowIds.push(outcome.result.workflow_id);
    for (const unit of Object.values(outcome.result?.units ?? {}))
      if (typeof unit.host === 'string') hostsSeen.add(unit.host);
    expect(outcome.problems).toEqual([]);
  });

  it('ran units on both hosts', () => {
    expect([...hostsSeen].sort()).toEqual(['host-a', 'host-b']);
  });

  it('replays every remote history without non-determinism', async () => {
    expect(workflowIds.length).toBeGreaterThan(0);
    const outcomes = await replayWorkflows(client, workflowIds);
    expect(outcomes).toEqual(workflowIds.map((workflowId) => ({ workflowId })));
  });
});
