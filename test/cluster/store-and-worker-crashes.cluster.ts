/**
 * The crash matrix, part 2: PostgreSQL stopped at once (`pg_ctl -m immediate`) and started again
 * after 10 s; one of the two agent-fanout workers killed with SIGKILL, its supervisors left
 * running for the other worker to adopt. Each run must succeed with every agent started exactly
 * once and nothing left behind, and `agent-fanout run` must exit 0.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { allPrinted, attemptRecords, makeRepo, waitFor } from '../crash/helpers';
import { crashRunProblems, runPlanWithCli, writeTickingPlan } from './harness/crash-run';
import { isIdentityOf } from './harness/fanout-workers';
import { useCluster } from './harness/use-cluster';

const fixture = useCluster('store-and-worker-crashes');
const UNITS = ['a', 'b', 'c', 'd'];

function newId(label: string): string {
  return `crash-${label}-${process.pid}-${Date.now().toString(36)}`;
}

describe('PostgreSQL stopped immediately mid-run and started after 10 s', () => {
  it('lets the run succeed with each agent started once, and `run` exits 0', async () => {
    const cluster = fixture.cluster();
    const repo = makeRepo();
    const plan = writeTickingPlan(repo, UNITS, 60, 500);
    const cli = runPlanWithCli(cluster, plan, repo, fixture.taskQueue, newId('postgres'));
    await waitFor('every agent at tick 3', () => allPrinted(repo, UNITS, 'tick 3'), 120_000);

    await cluster.postgres.stopImmediately();
    await delay(10_000);
    await cluster.postgres.start();

    const run = await cli;
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(run.stdout) as Parameters<typeof crashRunProblems>[0];
    expect(await crashRunProblems(result, plan, repo)).toEqual([]);
  });
});

describe('one of two workers killed with SIGKILL mid-run', () => {
  it('has the other adopt its agents (supervisors left running): each agent started once, `run` exits 0', async () => {
    const cluster = fixture.cluster();
    const repo = makeRepo();
    const plan = writeTickingPlan(repo, UNITS, 40, 500);
    const cli = runPlanWithCli(cluster, plan, repo, fixture.taskQueue, newId('worker'));
    await waitFor('every agent at tick 3', () => allPrinted(repo, UNITS, 'tick 3'), 120_000);

    const owners = attemptRecords(repo).map((record) => record.worker);
    const victim = fixture
      .workers()
      .find((worker) => owners.some((identity) => isIdentityOf(identity, worker)));
    if (victim === undefined)
      throw new Error(`no worker of this fixture runs the agents: ${owners.join(', ')}`);
    const supervisors = attemptRecords(repo)
      .filter((record) => isIdentityOf(record.worker, victim))
      .map((record) => record.supervisorPid);
    await victim.kill9();
    // A crash of the worker alone: its agents' supervisors live on, to be adopted.
    for (const pid of supervisors) expect(() => process.kill(pid, 0)).not.toThrow();

    const run = await cli;
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
    const result = JSON.parse(run.stdout) as Parameters<typeof crashRunProblems>[0];
    expect(await crashRunProblems(result, plan, repo)).toEqual([]);
    // Replace the killed worker, so the file's later tests have two again.
    fixture.workers().splice(fixture.workers().indexOf(victim), 1);
    await fixture.addWorker();
  });
});
