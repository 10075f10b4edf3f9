/**
 * A run terminated while its agent runs (SPEC §8.3): the server answers the attempt's next
 * heartbeat with "not found", the worker asks whether the run is still open, finds it closed and
 * stops the agent, its group and what it started in a session of its own, instead of leaving them
 * for a retry that never comes. The real dev server, a real worker and real agent processes.
 */
import { mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { MockActivityEnvironment } from '@temporalio/testing';
import { isRunOpenOnServer, type RunExecution } from '../../../src/activities/agent/run-open';
import { startRun } from '../../../src/client/fanout-client';
import { useFanoutWorker } from '../../helpers/fanout-worker';
import { testPlan, testUnit } from '../../helpers/plan-factory';
import { FAKE_AGENT } from '../../helpers/scenario-runner';
import { isLive, liveMembers } from '../helpers';

const fixture = useFanoutWorker('terminated-run');

/** Every pid we saw, killed at the end should the code under test have left any. */
const seen: number[] = [];
afterAll(() => {
  for (const pid of seen) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
});

async function pidFrom(file: string): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text = await Promise.resolve()
      .then(() => readFileSync(file, 'utf8').trim())
      .catch(() => '');
    if (/^\d+$/.test(text)) {
      seen.push(Number(text));
      return Number(text);
    }
    if (Date.now() > deadline) throw new Error(`${file} never held a pid`);
    await delay(100);
  }
}

/** Waits (generously: the machine is shared) until none of `pids` lives; returns those that still do. */
async function survivorsAfterWaiting(pids: readonly number[], waitMs: number): Promise<number[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const alive: number[] = [];
    for (const pid of pids) if (await isLive(pid)) alive.push(pid);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await delay(250);
  }
}

describe('a terminated run', () => {
  it('stops its running agent, the agent group and a daemon it started', async () => {
    const repo = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-terminated-')));
    const files = { agent: 'src/a/agent.pid', child: 'src/a/child.pid', daemon: 'src/a/daemon.pid' };
    const command = [
      FAKE_AGENT,
      '--spawn-grandchild',
      files.child,
      '--daemon',
      files.daemon,
      '--pid-file',
      files.agent,
      '--sleep-ms',
      '300000',
      '--artifact',
      'out.md',
    ];
    const plan = testPlan([testUnit('a', [], { command })], { name: 'terminated' });
    const workflowId = `terminated-${Date.now().toString(36)}`;
    const handle = await startRun(fixture.client(), { plan, repo, taskQueue: fixture.taskQueue, workflowId });
    const agent = await pidFrom(path.join(repo, files.agent));
    const child = await pidFrom(path.join(repo, files.child));
    const daemon = await pidFrom(path.join(repo, files.daemon));
    expect(await survivorsAfterWaiting([agent, child, daemon], 0)).toEqual([agent, child, daemon]);

    await handle.terminate('test: terminated while its agent runs');

    expect(await survivorsAfterWaiting([agent, child, daemon], 90_000)).toEqual([]);
    // The agent led its group (pgid = pid): nothing of the group is left either.
    expect(await liveMembers(agent)).toEqual([]);
    expect((await handle.describe()).status.name).toBe('TERMINATED');
  }, 180_000);
});

describe('isRunOpenOnServer', () => {
  it('says open for a running run, closed once it is terminated or for a run the server never had', async () => {
    const repo = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-run-open-')));
    const command = [FAKE_AGENT, '--pid-file', 'src/a/agent.pid', '--sleep-ms', '300000'];
    const plan = testPlan([testUnit('a', [], { command })], { name: 'run-open' });
    const workflowId = `run-open-${Date.now().toString(36)}`;
    const handle = await startRun(fixture.client(), { plan, repo, taskQueue: fixture.taskQueue, workflowId });
    await pidFrom(path.join(repo, 'src/a/agent.pid'));
    const environment = new MockActivityEnvironment(undefined, { client: fixture.client() });
    const ask = (execution: RunExecution) => environment.run(isRunOpenOnServer, execution);
    const { runId } = await handle.describe();

    expect(await ask({ workflowId, runId })).toBe(true);
    await handle.terminate('test: closed');
    expect(await ask({ workflowId, runId })).toBe(false);
    expect(await ask({ workflowId: `${workflowId}-never`, runId })).toBe(false);
    // Outside a worker there is no client to ask: the answer is "cannot tell".
    expect(await new MockActivityEnvironment().run(isRunOpenOnServer, { workflowId, runId })).toBeUndefined();
  }, 120_000);
});
