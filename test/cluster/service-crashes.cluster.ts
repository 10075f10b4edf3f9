/**
 * The crash matrix, part 1: Temporal's services killed with SIGKILL while agents run. Every run
 * must still succeed with each agent started exactly once (the fake agent stamps each start),
 * every tick printed, and no agent or supervisor left behind.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { allPrinted, makeRepo, waitFor } from '../crash/helpers';
import { replayWorkflows } from '../helpers/replay';
import type { TestCluster } from './harness/cluster';
import {
  crashRunProblems,
  resultThroughOutages,
  runPlanWithCli,
  writeTickingPlan,
} from './harness/crash-run';
import { SERVICES, type ServiceName } from './harness/server-config';
import { useCluster } from './harness/use-cluster';

const fixture = useCluster('service-crashes');
const UNITS = ['a', 'b', 'c'];
/** Every run of this file, replayed at the end. */
const workflowIds: string[] = [];

/** SIGKILL to the services named, then each started again after `downMs`. */
async function killAndRestart(
  cluster: TestCluster,
  names: readonly ServiceName[],
  downMs: number,
): Promise<void> {
  await Promise.all(names.map((name) => cluster.services[name].kill9()));
  await delay(downMs);
  await cluster.restartServices(names);
}

/**
 * Starts a run with `agent-fanout run --json`, crashes the cluster once every agent has printed a
 * few ticks, and returns the CLI's outcome and the problems with the finished run.
 */
async function runThroughCrash(
  label: string,
  tickCount: number,
  crash: (cluster: TestCluster) => Promise<void>,
): Promise<{ cli: Awaited<ReturnType<typeof runPlanWithCli>>; problems: string[] }> {
  const cluster = fixture.cluster();
  const repo = makeRepo();
  const plan = writeTickingPlan(repo, UNITS, tickCount, 500);
  const workflowId = `crash-${label}-${process.pid}-${Date.now().toString(36)}`;
  workflowIds.push(workflowId);
  const cli = runPlanWithCli(cluster, plan, repo, fixture.taskQueue, workflowId);
  await waitFor('every agent at tick 3', () => allPrinted(repo, UNITS, 'tick 3'), 120_000);
  await crash(cluster);
  const result = await resultThroughOutages(cluster, workflowId);
  const problems = await crashRunProblems(result, plan, repo);
  return { cli: await cli, problems };
}

describe('a Temporal service killed with SIGKILL mid-run', () => {
  it.each(['history', 'matching'] as const)(
    'the %s service restarted at once: the run succeeds, `run` exits 0, each agent started once',
    async (service) => {
      const { cli, problems } = await runThroughCrash(service, 40, (cluster) =>
        killAndRestart(cluster, [service], 1000),
      );
      expect(problems).toEqual([]);
      expect({ code: cli.code, stderr: cli.code === 0 ? '' : cli.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(cli.stdout)).toMatchObject({ status: 'succeeded' });
    },
  );
});

describe('frontend outages of 30 s', () => {
  // `agent-fanout run` keeps following through the outage (it says so once each way).
  it('the frontend killed and restarted after 30 s: the run succeeds, `run` exits 0, each agent started once', async () => {
    const { cli, problems } = await runThroughCrash('frontend', 100, (cluster) =>
      killAndRestart(cluster, ['frontend'], 30_000),
    );
    expect(problems).toEqual([]);
    expect(cli.stderr).not.toMatch(/^\s+at /m);
    expect({ code: cli.code, stderr: cli.code === 0 ? '' : cli.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(cli.stdout)).toMatchObject({ status: 'succeeded' });
  });

  it('every service killed and restarted after 30 s: the run succeeds, `run` exits 0, each agent started once', async () => {
    const { cli, problems } = await runThroughCrash('all-services', 100, (cluster) =>
      killAndRestart(cluster, SERVICES, 30_000),
    );
    expect(problems).toEqual([]);
    expect(cli.stderr).not.toMatch(/^\s+at /m);
    expect({ code: cli.code, stderr: cli.code === 0 ? '' : cli.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(cli.stdout)).toMatchObject({ status: 'succeeded' });
  });
});

describe('the histories these crashes produced', () => {
  it('replay against the workflow code without non-determinism', async () => {
    expect(workflowIds).toHaveLength(4);
    const connection = await Connection.connect({ address: fixture.cluster().address });
    try {
      const client = new Client({ connection, namespace: fixture.cluster().namespace });
      expect(await replayWorkflows(client, workflowIds)).toEqual(
        workflowIds.map((workflowId) => ({ workflowId })),
      );
    } finally {
      await connection.close();
    }
  });
});
