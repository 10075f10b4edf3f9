import { CancelledFailure } from '@temporalio/common';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  AttemptRun,
  FAKE,
  attemptInput,
  duration,
  expectAgentFailure,
  groupSignalProbe,
  isLive,
  liveMembers,
  makeRepo,
  measured,
  reapGroups,
  removeRepos,
  runAttempt,
  settings,
  unit,
  waitForPid,
} from '../helpers';

afterEach(reapGroups);
afterAll(removeRepos);

/** Settles a promise into its error (or null), so a test can keep probing while it runs. */
function outcomeOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

async function expectGroupGone(pgid: number, pids: number[]): Promise<void> {
  expect(await liveMembers(pgid)).toEqual([]);
  for (const pid of pids) expect(await isLive(pid)).toBe(false);
  expect(await groupSignalProbe(pgid)).toBe('ESRCH');
}

describe('runAgentAttempt cancellation', () => {
  it('stops the agent and its grandchild, then rethrows the cancellation', async () => {
    const repo = await makeRepo();
    const run = new AttemptRun();
    const command = [
      FAKE,
      '--pid-file',
      'pids/B.pid',
      '--spawn-grandchild',
      'pids/B-child.pid',
      '--sleep-ms',
      '30000',
      '--artifact',
      'out.md',
    ];
    const outcome = outcomeOf(
      run.run(attemptInput(repo, unit('B'), settings(command, { grace: duration(5000, '5s') }))),
    );
    const { pgid } = await run.running();
    const child = await waitForPid(join(repo, 'pids/B-child.pid'));
    const leader = await waitForPid(join(repo, 'pids/B.pid'));
    expect(pgid).toBe(leader);

    const cancelledAt = Date.now();
    run.env.cancel();
    const error = await outcome;
    const latency = Date.now() - cancelledAt;
    measured('cancel to group dead (agent honours SIGTERM)', latency, 'ms');

    expect(error).toBeInstanceOf(CancelledFailure);
    await expectGroupGone(pgid ?? -1, [leader, child]);
    expect(latency).toBeLessThan(5000); // SIGTERM is enough: no wait for the 5 s grace
  });

  it('SIGKILLs an agent that ignores SIGTERM only after the grace period', async () => {
    const repo = await makeRepo();
    const run = new AttemptRun();
    const grace = 1500;
    const command = [
      FAKE,
      '--ignore-term',
      '--pid-file',
      'pids/C.pid',
      '--spawn-grandchild',
      'pids/C-child.pid',
      '--sleep-ms',
      '30000',
    ];
    const outcome = outcomeOf(
      run.run(attemptInput(repo, unit('C'), settings(command, { grace: duration(grace, '1500ms') }))),
    );
    const { pgid } = await run.running();
    const child = await waitForPid(join(repo, 'pids/C-child.pid'));
    const leader = await waitForPid(join(repo, 'pids/C.pid'));

    const cancelledAt = Date.now();
    run.env.cancel();
    await delay(grace / 2);
    expect(await isLive(leader)).toBe(true);
    expect(await isLive(child)).toBe(true);
    expect(run.heartbeats.at(-1)?.phase).toBe('stopping');

    const error = await outcome;
    const latency = Date.now() - cancelledAt;
    measured('cancel to group dead (agent ignores SIGTERM, grace 1500 ms)', latency, 'ms');
    expect(error).toBeInstanceOf(CancelledFailure);
    expect(latency).toBeGreaterThanOrEqual(grace - 100);
    expect(latency).toBeLessThan(grace + 2000);
    await expectGroupGone(pgid ?? -1, [leader, child]);
  });

  it('never starts the agent when cancelled before the start', async () => {
    const repo = await makeRepo();
    const run = new AttemptRun();
    run.env.cancel();
    const error = await outcomeOf(
      run.run(attemptInput(repo, unit('early'), settings([FAKE, '--pid-file', 'pids/early.pid']))),
    );
    expect(error).toBeInstanceOf(CancelledFailure);
    expect(run.heartbeats.every((beat) => beat.pid === null)).toBe(true);
  });
});

describe('runAgentAttempt time limits', () => {
  it('kills the whole group after timeout, SIGKILL after the grace, with the timeout text', async () => {
    const repo = await makeRepo();
    const command = [
      FAKE,
      '--ignore-term',
      '--pid-file',
      'pids/slowpoke.pid',
      '--spawn-grandchild',
      'pids/slowpoke-child.pid',
      '--say',
      'working',
      '--sleep-ms',
      '30000',
      '--artifact',
      'out.md',
    ];
    const unitSettings = settings(command, {
      timeout: duration(1500, '1500ms'),
      grace: duration(500, '500ms'),
    });
    const startedAt = Date.now();
    await expectAgentFailure(
      runAttempt(attemptInput(repo, unit('slowpoke'), unitSettings)),
      'AgentTimeout',
      "Worker 'slowpoke' timed out after 1500ms",
      1,
    );
    const elapsed = Date.now() - startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(1500 + 500 - 100);
    expect(elapsed).toBeLessThan(1500 + 500 + 2000);
    const leader = await waitForPid(join(repo, 'pids/slowpoke.pid'));
    await expectGroupGone(leader, [leader, await waitForPid(join(repo, 'pids/slowpoke-child.pid'))]);
  });

  it('kills a silent agent after idle_timeout with the idle text', async () => {
    const repo = await makeRepo();
    const command = [
      FAKE,
      '--pid-file',
      'pids/quiet.pid',
      '--say',
      'started',
      '--sleep-ms',
      '30000',
      '--artifact',
      'out.md',
    ];
    const startedAt = Date.now();
    await expectAgentFailure(
      runAttempt(attemptInput(repo, unit('quiet'), settings(command, { idleTimeout: duration(1000, '1s') }))),
      'AgentIdleTimeout',
      "Worker 'quiet' produced no output for 1s",
      1,
    );
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
    const leader = await waitForPid(join(repo, 'pids/quiet.pid'));
    await expectGroupGone(leader, [leader]);
  });

  it('lets an agent that keeps printing outlive a shorter idle_timeout', async () => {
    const repo = await makeRepo();
    const command = [FAKE, '--ticks', '5', '400', '--artifact', 'out.md'];
    const startedAt = Date.now();
    const result = await runAttempt(
      attemptInput(repo, unit('chatty'), settings(command, { idleTimeout: duration(1200, '1200ms') })),
    );
    expect(result.artifacts.map((a) => a.name)).toEqual(['out.md']);
    expect(Date.now() - startedAt).toBeGreaterThan(1200); // it really ran longer than the idle limit
  });

  it('reports the timeout when timeout and idle_timeout expire together', async () => {
    const repo = await makeRepo();
    const unitSettings = settings([FAKE, '--sleep-ms', '30000'], {
      timeout: duration(1000, '1s'),
      idleTimeout: duration(1000, '1s'),
    });
    await expectAgentFailure(
      runAttempt(attemptInput(repo, unit('both'), unitSettings)),
      'AgentTimeout',
      "Worker 'both' timed out after 1s",
      1,
    );
  });
});

describe('runAgentAttempt leftovers (SPEC §7.11)', () => {
  it('succeeds promptly although a grandchild keeps the output open, and kills the grandchild', async () => {
    const repo = await makeRepo();
    const command = [
      FAKE,
      '--pid-file',
      'pids/a.pid',
      '--spawn-grandchild',
      'pids/a-child.pid',
      '--say',
      'left a sleeper behind',
      '--artifact',
      'done.md',
    ];
    const startedAt = Date.now();
    const result = await runAttempt(
      attemptInput(repo, unit('a'), settings(command, { grace: duration(6000, '6s') })),
    );
    const elapsed = Date.now() - startedAt;
    measured('leftover grandchild: attempt duration', elapsed, 'ms');
    expect(result.artifacts.map((a) => a.name)).toEqual(['done.md']);
    expect(elapsed).toBeLessThan(6000); // the grandchild honours SIGTERM: no wait for the 6 s grace
    const leader = await waitForPid(join(repo, 'pids/a.pid'));
    await expectGroupGone(leader, [leader, await waitForPid(join(repo, 'pids/a-child.pid'))]);
  });

  it('SIGKILLs a leftover that ignores SIGTERM after the grace and still succeeds', async () => {
    const repo = await makeRepo();
    const command = [
      FAKE,
      '--ignore-term',
      '--pid-file',
      'pids/a.pid',
      '--spawn-grandchild',
      'pids/a-child.pid',
      '--artifact',
      'done.md',
    ];
    const startedAt = Date.now();
    const result = await runAttempt(
      attemptInput(repo, unit('a'), settings(command, { grace: duration(500, '500ms') })),
    );
    const elapsed = Date.now() - startedAt;
    expect(result.artifacts.map((a) => a.name)).toEqual(['done.md']);
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(500 + 2000);
    const leader = await waitForPid(join(repo, 'pids/a.pid'));
    await expectGroupGone(leader, [leader, await waitForPid(join(repo, 'pids/a-child.pid'))]);
  });
});
