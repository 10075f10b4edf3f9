/**
 * Adoption (SPEC §4.4): a try of an attempt that is interrupted (here: its worker shuts down, which
 * leaves the agent running, exactly the state a killed worker leaves) is followed by a second try
 * in a fresh activity environment, with the first try's last heartbeat, as Temporal's retry would.
 */
import { ActivityCancellationDetails, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { readProcessStartTicks, type AttemptRecord } from '../../../src/activities/agent/attempt-record';
import type { AgentHeartbeat, AttemptInput } from '../../../src/activities/types';
import {
  AttemptRun,
  FAKE,
  FAKE_ARTIFACT_SHA256,
  attemptInput,
  duration,
  expectAgentFailure,
  groupSignalProbe,
  isLive,
  liveMembers,
  makeRepo,
  reapGroups,
  removeRepos,
  settings,
  unit,
} from '../helpers';

const impostors: number[] = [];
afterEach(() => {
  reapGroups();
  for (const pid of impostors.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});
afterAll(removeRepos);

const TIMING = { timing: { pollMs: 50, heartbeatMs: 200 } };

function settle(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

/**
 * The agent is dead and its supervisor has written the exit file. The supervisor writes that file
 * just after the agent ends, so waiting for the pid alone races with it on a busy machine.
 */
async function agentEndedAndRecorded(beat: AgentHeartbeat): Promise<void> {
  await waitFor('the agent to end', async () => ((await isLive(beat.pid ?? -1)) ? undefined : true));
  const exitFile = beat.logPath.replace(/\.log$/, '.exit.json');
  await waitFor('the exit file', () =>
    readFile(exitFile).then(
      () => true,
      () => undefined,
    ),
  );
}

async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(25);
  }
}

const shutdown = new ActivityCancellationDetails({ workerShutdown: true });

/**
 * Runs the first try until the agent printed `line`, then shuts its "worker" down. Returns the
 * try's last heartbeat (what Temporal hands the retry) and the error the try ended with.
 */
async function interruptedTry(
  input: AttemptInput,
  line: string,
): Promise<{ beat: AgentHeartbeat; error: unknown }> {
  const first = new AttemptRun(TIMING);
  const outcome = settle(first.run(input));
  await waitFor(`'${line}' in a heartbeat`, () =>
    first.heartbeats.find((beat) => beat.lastLines.includes(line)) ? true : undefined,
  );
  first.env.cancel('WORKER_SHUTDOWN', shutdown);
  const error = await outcome;
  const beat = first.heartbeats.at(-1);
  if (beat === undefined) throw new Error('no heartbeat');
  return { beat, error };
}

function retry(beat: AgentHeartbeat): AttemptRun {
  return new AttemptRun(TIMING, { attempt: 2, heartbeatDetails: beat });
}

async function readRecord(repo: string, unitId: string, attempt = 1): Promise<AttemptRecord> {
  const path = join(repo, `.agent/workers/${unitId}/logs/attempt-${attempt}.json`);
  return JSON.parse(await readFile(path, 'utf8')) as AttemptRecord;
}

async function lines(path: string): Promise<string[]> {
  return (await readFile(path, 'utf8')).split('\n').filter((line) => line !== '');
}

const ticks = (n: number): string[] => Array.from({ length: n }, (_, i) => `tick ${i + 1}`);

describe('runAgentAttempt on a worker shutdown', () => {
  it('leaves the agent running and fails the try as a retryable AgentLeftRunning', async () => {
    const repo = await makeRepo();
    const input = attemptInput(
      repo,
      unit('a'),
      settings([FAKE, '--ticks', '40', '100', '--artifact', 'out.md']),
    );
    const { beat, error } = await interruptedTry(input, 'tick 2');
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'AgentLeftRunning', nonRetryable: false });
    expect(beat).toMatchObject({ phase: 'released', attempt: 1 });
    expect(await isLive(beat.pid ?? -1)).toBe(true);
  });
});

describe('runAgentAttempt adoption (SPEC §4.4)', () => {
  it('follows the running agent of an interrupted try instead of starting it again', async () => {
    const repo = await makeRepo();
    const command = [FAKE, '--count', 'count.txt', '--ticks', '15', '100', '--artifact', 'out.md'];
    const input = attemptInput(repo, unit('a'), settings(command));
    const { beat } = await interruptedTry(input, 'tick 3');

    const second = retry(beat);
    const result = await second.run(input);

    expect(await lines(join(repo, 'count.txt'))).toEqual(['a attempt=1']);
    expect(await lines(result.logPath)).toEqual(ticks(15));
    expect(result.artifacts).toEqual([{ name: 'out.md', size: 20, sha256: FAKE_ARTIFACT_SHA256 }]);
    const record = await readRecord(repo, 'a');
    expect(result.startedAt).toBe(record.startedAt);
    const running = second.heartbeats.filter((h) => h.phase === 'running');
    expect(running.length).toBeGreaterThan(0);
    expect(running.every((h) => h.pid === beat.pid && h.startedAt === beat.startedAt)).toBe(true);
    // The adopted agent's own output, in order, in what the next try reports.
    const tail = second.heartbeats.at(-1)?.lastLines ?? [];
    const from = ticks(15).indexOf(tail[0] ?? '');
    expect(tail.length).toBeGreaterThan(0);
    expect(tail).toEqual(ticks(15).slice(from, from + tail.length));
    expect(await groupSignalProbe(record.pgid)).toBe('ESRCH');
  });

  it('reads the outcome of an agent that ended while no try followed it, with its last line', async () => {
    const repo = await makeRepo();
    const command = [FAKE, '--count', 'count.txt', '--ticks', '4', '100', '--say', 'gave up', '--exit', '3'];
    const input = attemptInput(repo, unit('b'), settings(command));
    const { beat } = await interruptedTry(input, 'tick 1');
    await waitFor('the exit file', () =>
      readFile(join(repo, '.agent/workers/b/logs/attempt-1.exit.json')).then(
        () => true,
        () => undefined,
      ),
    );

    await expectAgentFailure(
      retry(beat).run(input),
      'AgentExit',
      "Worker 'b' exited with code 3: gave up",
      3,
    );
    expect(await lines(join(repo, 'count.txt'))).toEqual(['b attempt=1']);
  });

  it('counts the evidence of a finished agent against the snapshot taken before it started', async () => {
    const repo = await makeRepo();
    const command = [FAKE, '--ticks', '3', '100', '--artifact', 'new.md'];
    const input = attemptInput(repo, unit('c'), settings(command));
    await mkdir(join(repo, '.agent/workers/c/artifacts'), { recursive: true });
    await writeFile(join(repo, '.agent/workers/c/artifacts/old.md'), 'from an earlier run\n');
    const { beat } = await interruptedTry(input, 'tick 1');
    await agentEndedAndRecorded(beat);

    // new.md was written before the retry looked: only the original snapshot makes it count.
    const result = await retry(beat).run(input);
    expect(result.artifacts.map((a) => a.name)).toEqual(['new.md']);
  });

  it('reports a signal death recorded while no try followed the agent as minus the signal number', async () => {
    const repo = await makeRepo();
    const command = [FAKE, '--ticks', '3', '100', '--say', 'about to crash', '--kill-self', 'KILL'];
    const input = attemptInput(repo, unit('d'), settings(command));
    const { beat } = await interruptedTry(input, 'tick 1');
    await agentEndedAndRecorded(beat);

    await expectAgentFailure(
      retry(beat).run(input),
      'AgentExit',
      "Worker 'd' exited with code -9: about to crash",
      -9,
    );
  });

  it('starts over with the same FANOUT_ATTEMPT when the agent and its supervisor are both gone', async () => {
    const repo = await makeRepo();
    const command = [FAKE, '--count', 'count.txt', '--ticks', '6', '100', '--artifact', 'out.md'];
    const input = attemptInput(repo, unit('e'), settings(command));
    const { beat } = await interruptedTry(input, 'tick 1');
    const record = await readRecord(repo, 'e');
    // What a host crash does: the supervisor and the agent's group die without a word.
    process.kill(record.supervisorPid, 'SIGKILL');
    process.kill(-record.pgid, 'SIGKILL');
    await waitFor('the group to die', async () =>
      (await liveMembers(record.pgid)).length === 0 ? true : undefined,
    );

    const result = await retry(beat).run(input);
    expect(result.artifacts.map((a) => a.name)).toEqual(['out.md']);
    expect(await lines(join(repo, 'count.txt'))).toEqual(['e attempt=1', 'e attempt=1']);
    expect((await readRecord(repo, 'e')).pid).not.toBe(record.pid);
  });

  it('never adopts a live pid whose start time differs from the record (pid reuse)', async () => {
    const repo = await makeRepo();
    const command = [FAKE, '--count', 'count.txt', '--ticks', '3', '300', '--artifact', 'out.md'];
    const input = attemptInput(repo, unit('f'), settings(command));
    const { beat } = await interruptedTry(input, 'tick 1');
    await agentEndedAndRecorded(beat);
    // Pretend the agent died without a recorded status and its pid now leads an unrelated group.
    await rm(join(repo, '.agent/workers/f/logs/attempt-1.exit.json'));
    const impostor = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const impostorPid = impostor.pid ?? -1;
    impostors.push(impostorPid);
    const path = join(repo, '.agent/workers/f/logs/attempt-1.json');
    const record = await readRecord(repo, 'f');
    await writeFile(
      path,
      JSON.stringify({ ...record, pid: impostorPid, pgid: impostorPid, processStartTicks: '1' }),
    );

    const result = await retry({ ...beat, pid: impostorPid, pgid: impostorPid }).run(input);
    expect(result.artifacts.map((a) => a.name)).toEqual(['out.md']);
    expect(await lines(join(repo, 'count.txt'))).toEqual(['f attempt=1', 'f attempt=1']);
    expect(await isLive(impostorPid)).toBe(true);
  });

  it('never adopts nor signals a pid recorded in another pid namespace (another container)', async () => {
    const repo = await makeRepo();
    const command = [FAKE, '--count', 'count.txt', '--ticks', '3', '300', '--artifact', 'out.md'];
    const input = attemptInput(repo, unit('n'), settings(command));
    const { beat } = await interruptedTry(input, 'tick 1');
    await agentEndedAndRecorded(beat);
    await rm(join(repo, '.agent/workers/n/logs/attempt-1.exit.json'));
    // A process that matches the record's pid and start time, but in this namespace, not the recorded one.
    const impostor = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const impostorPid = impostor.pid ?? -1;
    impostors.push(impostorPid);
    const ticksOf = await readProcessStartTicks(impostorPid);
    const record = await readRecord(repo, 'n');
    await writeFile(
      join(repo, '.agent/workers/n/logs/attempt-1.json'),
      JSON.stringify({
        ...record,
        pid: impostorPid,
        pgid: impostorPid,
        processStartTicks: ticksOf,
        pidNamespace: 'pid:[1]',
      }),
    );

    const result = await retry({ ...beat, pid: impostorPid, pgid: impostorPid }).run(input);
    expect(result.artifacts.map((a) => a.name)).toEqual(['out.md']);
    expect(await lines(join(repo, 'count.txt'))).toEqual(['n attempt=1', 'n attempt=1']);
    expect(await isLive(impostorPid)).toBe(true);
  });

  it('ignores the record of another workflow run', async () => {
    const repo = await makeRepo();
    const command = [FAKE, '--count', 'count.txt', '--ticks', '20', '100', '--artifact', 'out.md'];
    const input = attemptInput(repo, unit('g'), settings(command));
    const { beat } = await interruptedTry(input, 'tick 1');
    const otherRun = new AttemptRun(TIMING, {
      attempt: 2,
      heartbeatDetails: beat,
      workflowExecution: { workflowId: 'test', runId: 'another-run' },
    });
    const outcome = settle(otherRun.run(input));
    await waitFor('a second agent', async () =>
      (await lines(join(repo, 'count.txt')).catch(() => [])).length === 2 ? true : undefined,
    );
    otherRun.env.cancel();
    expect(await outcome).toBeInstanceOf(CancelledFailure);
  });

  it('times an adopted agent out relative to its original start', async () => {
    const repo = await makeRepo();
    const command = [FAKE, '--ticks', '100', '100'];
    const input = attemptInput(repo, unit('h'), settings(command, { timeout: duration(3000, '3000ms') }));
    // Adopt late (two seconds in), so a clock restarted at adoption would need the whole 3 s again:
    // the margin between the two readings is about two seconds, wide enough for a loaded machine.
    const { beat } = await interruptedTry(input, 'tick 20');
    const adoptedAt = Date.now();
    await expectAgentFailure(retry(beat).run(input), 'AgentTimeout', "Worker 'h' timed out after 3000ms", 1);
    const record = await readRecord(repo, 'h');
    expect(Date.now() - adoptedAt).toBeLessThan(3000);
    expect(Date.now() - record.startedAtMs).toBeGreaterThanOrEqual(3000);
    expect(await groupSignalProbe(record.pgid)).toBe('ESRCH');
  });

  it('stops an adopted agent and its group when the workflow cancels the unit', async () => {
    const repo = await makeRepo();
    const command = [FAKE, '--spawn-grandchild', 'child.pid', '--ticks', '100', '100'];
    const input = attemptInput(repo, unit('i'), settings(command));
    const { beat } = await interruptedTry(input, 'tick 2');
    const second = retry(beat);
    const outcome = settle(second.run(input));
    await waitFor('the adopted agent to be followed', () =>
      second.heartbeats.find((h) => h.phase === 'running') ? true : undefined,
    );
    second.env.cancel();
    expect(await outcome).toBeInstanceOf(CancelledFailure);
    expect(await groupSignalProbe(beat.pgid ?? -1)).toBe('ESRCH');
  });
});
