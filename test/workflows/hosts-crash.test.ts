/**
 * A host killed -9 with its agent running, in a remote run (SPEC §10, §4.4): the attempt's
 * heartbeat times out, its last heartbeat names the host, so the workflow binds the attempt to that
 * host's queue while another host serves the shared queue; the host's worker comes back
 * (`agent-fanout worker --workdir --host`, same work directory and id) and adopts the agent, which
 * runs exactly once.
 */
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { awaitResult } from '../../src/client/fanout-client';
import { ABANDONED_ATTEMPTS_QUERY, hostQueueName, type AbandonedAttempt } from '../../src/contracts/hosts';
import type { FanoutResult } from '../../src/plan/types';
import type { RunningWorker } from '../../src/worker/create-worker';
import { requireBuiltCli } from '../client/helpers/built-cli';
import { uniqueTaskQueue } from '../helpers/fanout-worker';
import { testPlan, testUnit } from '../helpers/plan-factory';
import { replayHistories } from '../helpers/replay';
import { FAKE_AGENT } from '../helpers/scenario-runner';
import { testClient } from '../helpers/temporal';
import { gitRunInput, sourceRepo, startGitRun, useWorktreeFolder } from './git-run-helpers';
import {
  bareRemote,
  countedLines,
  eventually,
  isAlive,
  killHostProcess,
  placedTries,
  removeScratch,
  scratchFolder,
  startHost,
  startHostProcess,
  type Client,
  type HostProcess,
} from './hosts-helpers';

useWorktreeFolder();

describe('a host killed -9 while its agent runs, back before the host-loss time', () => {
  const taskQueue = uniqueTaskQueue('hosts-crash');
  const workflowId = `hosts-crash-${Date.now().toString(36)}`;
  const hostA = { id: 'crash-a', workdir: scratchFolder('crash-a') };
  const hostB = { id: 'crash-b', workdir: scratchFolder('crash-b') };
  const scratch = scratchFolder('crash-count');
  const counter = path.join(scratch, 'count.txt');
  const pidFile = path.join(scratch, 'agent.pid');
  const processes: HostProcess[] = [];
  let client: Client;
  let b: RunningWorker | undefined;
  let result: FanoutResult;
  let history: temporal.api.history.v1.IHistory;
  let abandoned: readonly AbandonedAttempt[];

  beforeAll(async () => {
    requireBuiltCli();
    client = await testClient();
    const first = await startHostProcess(taskQueue, hostA, scratch);
    processes.push(first);
    const { repo, base } = sourceRepo();
    const command = [
      FAKE_AGENT,
      '--count',
      counter,
      '--pid-file',
      pidFile,
      '--sleep-ms',
      '20000',
      '--write',
      'src/solo/out.txt',
      'done',
      '--artifact',
      'report.md',
    ];
    const plan = testPlan([testUnit('solo', [], { command })], { name: 'hosts-crash' });
    const handle = await startGitRun(client, {
      plan,
      repo,
      workflowId,
      taskQueue,
      git: gitRunInput(base, workflowId, { remote: bareRemote(repo), hostLossTimeoutMs: 180_000 }),
    });
    await eventually('the agent to start on host a', () => countedLines(counter).length === 1);
    await killHostProcess(first);
    b = await startHost(taskQueue, hostB);
    // The heartbeat timeout (10 s) passes while host a is down; host b must not get the attempt.
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    processes.push(await startHostProcess(taskQueue, hostA, scratch));
    result = await awaitResult(handle);
    history = await handle.fetchHistory();
    abandoned = await handle.query<readonly AbandonedAttempt[]>(ABANDONED_ATTEMPTS_QUERY);
  }, 300_000);

  afterAll(async () => {
    for (const host of processes) await killHostProcess(host);
    await b?.shutdown();
    const pid = Number(countedLines(pidFile)[0]);
    if (pid > 0 && isAlive(pid)) process.kill(-pid, 'SIGKILL');
    await client.connection.close();
    removeScratch();
  });

  it('succeeds with the agent run once, on host a', () => {
    expect(result.status).toBe('succeeded');
    expect(countedLines(counter)).toEqual(['solo attempt=1']);
    expect(result.units.solo?.host).toBe(hostA.id);
    expect(result.units.solo?.attempts).toBe(1);
    expect(abandoned).toEqual([]);
  });

  it('bound the timed-out attempt to host a’s queue, from its last heartbeat', () => {
    const tries = placedTries(history);
    expect(tries.map((t) => t.taskQueue)).toEqual([taskQueue, hostQueueName(taskQueue, hostA.id)]);
    expect(tries[1]?.input.adopt).toBe(true);
    const timedOut = (history.events ?? []).find((e) => e.activityTaskTimedOutEventAttributes);
    expect(timedOut?.activityTaskTimedOutEventAttributes?.failure?.timeoutFailureInfo?.timeoutType).toBe(
      temporal.api.enums.v1.TimeoutType.TIMEOUT_TYPE_HEARTBEAT,
    );
  });

  it('replays against the current workflow code', async () => {
    const outcomes = await replayHistories([{ workflowId, history }]);
    expect(outcomes.filter((o) => o.error !== undefined)).toEqual([]);
  }, 120_000);
});
