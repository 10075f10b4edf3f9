/**
 * A `workspace: git` unit's attempt (SPEC §9) with real git, the real activity code (in a mock
 * activity environment, as the other attempt tests) and the fake agent: its output commit, its
 * ref, its evidence in the source checkout, and what happens on failure.
 */
import { ActivityCancellationDetails, ApplicationFailure } from '@temporalio/common';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AttemptSuccess } from '../../../src/activities/types';
import {
  FAKE,
  AttemptRun,
  FAKE_ARTIFACT_SHA256,
  expectAgentFailure,
  reapGroups,
  settings,
  unit,
} from '../helpers';
import {
  changedBy,
  evidenceFile,
  gitFixture,
  gitIn,
  gitInput,
  lines,
  refValue,
  registeredTrees,
  removeGitFixtures,
  sourceStatus,
} from './git-fixture';

afterEach(reapGroups);
afterAll(removeGitFixtures);

const TIMING = { pollMs: 50, heartbeatMs: 200 };
const UNIT_REF = 'refs/fanout/fanout-test-run/units/a';

function run(env: Record<string, string | undefined>, input: Parameters<AttemptRun['run']>[0]) {
  return new AttemptRun({ env, timing: TIMING }).run(input);
}

describe('a git attempt that succeeds', () => {
  it('commits its change on the base with the SPEC message and trailers, sets its ref, copies its evidence and removes its tree', async () => {
    const fixture = gitFixture();
    const command = [
      FAKE,
      '--write',
      'src/a/file.txt',
      'from a',
      '--write',
      '{repo}/src/a/repo.txt',
      '{repo}',
    ];
    const description = 'Write the a file.\nSecond line is not in the subject.';
    const input = gitInput(
      fixture,
      unit('a', { description }),
      settings([...command, '--artifact', 'out.md']),
    );

    const success = await run(fixture.env, input);

    const output = success.git?.output ?? '';
    expect(success.git?.start).toBe(fixture.base);
    expect(refValue(fixture, UNIT_REF)).toBe(output);
    expect(gitIn(fixture.source, 'rev-parse', `${output}^`)).toBe(fixture.base);
    expect(changedBy(fixture, output)).toEqual(['src/a/file.txt', 'src/a/repo.txt']);
    expect(gitIn(fixture.source, 'log', '-1', '--format=%B', output)).toBe(
      'a: Write the a file.\n\nFanout-Run: fanout-test-run\nFanout-Unit: a\nFanout-Attempt: 1',
    );
    expect(gitIn(fixture.source, 'log', '-1', '--format=%an <%ae> %cn <%ce>', output)).toBe(
      'agent-fanout <agent-fanout@localhost> agent-fanout <agent-fanout@localhost>',
    );
    expect(gitIn(fixture.source, 'log', '-1', '--format=%aI %cI', output)).toBe(
      '2026-01-02T03:04:05+00:00 2026-01-02T03:04:05+00:00',
    );
    // {repo} is the working tree, and so is the agent's cwd.
    const worktree = success.git?.worktree ?? '';
    expect(worktree.startsWith(`${fixture.worktrees}/`)).toBe(true);
    expect(gitIn(fixture.source, 'show', `${output}:src/a/repo.txt`)).toBe(worktree);

    expect(existsSync(worktree)).toBe(false);
    expect(registeredTrees(fixture)).not.toContain(worktree);
    expect(sourceStatus(fixture)).toEqual([]);
    expect(gitIn(fixture.source, 'rev-parse', 'HEAD')).toBe(fixture.base);

    expect(success.artifacts).toEqual([{ name: 'out.md', size: 20, sha256: FAKE_ARTIFACT_SHA256 }]);
    expect(evidenceFile(fixture, 'a', 'artifacts/out.md')).toBe('fake agent artifact\n');
    expect(JSON.parse(evidenceFile(fixture, 'a', 'worker-manifest.json'))).toMatchObject({ unit_id: 'a' });
    expect(success.logPath).toBe(
      path.join(fixture.source, '.agent/runs/fanout-test-run/a/logs/attempt-1.log'),
    );
    expect(existsSync(success.logPath)).toBe(true);
    expect(JSON.parse(evidenceFile(fixture, 'a', 'attempt-1.json'))).toMatchObject({
      attempt: 1,
      recorded: { outcome: 'succeeded', success: { git: { output } } },
    });
  });

  it('starts from the base merged with the commits it builds on, and one that changed nothing outputs its start', async () => {
    const fixture = gitFixture();
    const dep = gitIn(fixture.source, 'rev-parse', 'HEAD');
    gitIn(fixture.source, 'checkout', '-q', '-b', 'dep');
    gitIn(fixture.source, 'rm', '-q', 'src/keep.txt');
    gitIn(fixture.source, 'commit', '-q', '-m', 'dep removes keep');
    const depOutput = gitIn(fixture.source, 'rev-parse', 'HEAD');
    gitIn(fixture.source, 'checkout', '-q', 'main');
    expect(dep).toBe(fixture.base);

    const input = gitInput(fixture, unit('a'), settings([FAKE, '--artifact', 'out.md']), {
      merges: [{ unitId: 'dep', sha: depOutput }],
    });
    const success = await run(fixture.env, input);

    expect(success.git).toMatchObject({ start: depOutput, output: depOutput });
    expect(refValue(fixture, UNIT_REF)).toBe(depOutput);
  });

  it('leaves the namespace and agent.writable out of the commit', async () => {
    const fixture = gitFixture();
    const command = [
      FAKE,
      '--write',
      'src/a/x.txt',
      'x',
      '--write',
      'cache/tool.db',
      'db',
      '--artifact',
      'out.md',
    ];
    const input = gitInput(fixture, unit('a'), settings(command, { writable: ['cache'] }));

    const success = await run(fixture.env, input);

    expect(changedBy(fixture, success.git?.output ?? '')).toEqual(['src/a/x.txt']);
  });
});

describe('a git attempt under confinement: landlock (SPEC §8.1 in its working tree)', () => {
  it('writes only its area of the working tree, and its output holds just that', async () => {
    const fixture = gitFixture();
    const command = [
      FAKE,
      '--try-touch',
      'README.md',
      '--try-touch',
      'src/b/x.txt',
      '--try-touch',
      'src/a/mine.txt',
    ];
    const input = gitInput(
      fixture,
      unit('a'),
      settings([...command, '--artifact', 'out.md'], { confinement: 'landlock' }),
    );

    const success = await run(fixture.env, input);

    expect(success.containment?.confinement).toBe('landlock');
    expect(lines(success.logPath)).toEqual([
      'denied README.md',
      'denied src/b/x.txt',
      'wrote src/a/mine.txt',
    ]);
    expect(changedBy(fixture, success.git?.output ?? '')).toEqual(['src/a/mine.txt']);
  });
});

describe('a git attempt that fails', () => {
  it('fails with the SPEC text when it changed files outside its allowed directories, and keeps nothing', async () => {
    const fixture = gitFixture();
    const outside = ['README.md', 'src/b/1.txt', 'src/b/2.txt', 'src/b/3.txt', 'src/b/4.txt', 'top.txt'];
    const writes = outside.flatMap((file) => ['--write', file, 'outside']);
    const command = [FAKE, '--write', 'src/a/in.txt', 'in', ...writes, '--remove', 'src/keep.txt'];
    const input = gitInput(fixture, unit('a'), settings([...command, '--artifact', 'out.md']));
    const attempt = new AttemptRun({ env: fixture.env, timing: TIMING });

    await expectAgentFailure(
      attempt.run(input),
      'OutsideArea',
      "Worker 'a' changed files outside its allowed directories: README.md, src/b/1.txt, src/b/2.txt, src/b/3.txt, src/b/4.txt and 2 more",
      1,
    );
    expect(refValue(fixture, UNIT_REF)).toBeNull();
    expect(sourceStatus(fixture)).toEqual([]);
    expect(existsSync(attempt.heartbeats[0]?.logPath ?? '/')).toBe(false);
    expect(evidenceFile(fixture, 'a', 'logs/attempt-1.log')).toBe('');
    expect(JSON.parse(evidenceFile(fixture, 'a', 'attempt-1.json'))).toMatchObject({
      recorded: { outcome: 'failed', type: 'OutsideArea' },
    });
  });

  it('fails, never retried, when its evidence folder in the source checkout passes through a link', async () => {
    const fixture = gitFixture();
    mkdirSync(path.join(fixture.source, '.agent'));
    symlinkSync(fixture.scratch, path.join(fixture.source, '.agent/runs'));
    const input = gitInput(
      fixture,
      unit('a'),
      settings([FAKE, '--write', 'src/a/f.txt', 'f', '--artifact', 'out.md']),
    );

    const link = path.join(fixture.source, '.agent/runs');
    await expectAgentFailure(
      run(fixture.env, input),
      'SymbolicLinkWrite',
      `'${link}' is a symbolic link; agent-fanout does not write through links. Remove it and retry.`,
      1,
    );
    expect(readdirSync(fixture.scratch)).toEqual([]);
    expect(refValue(fixture, UNIT_REF)).toBeNull();
  });

  it('fails, never retried, when FANOUT_WORKTREES lies inside the source checkout', async () => {
    const fixture = gitFixture();
    const env = { ...fixture.env, FANOUT_WORKTREES: path.join(fixture.source, 'trees') };
    const input = gitInput(fixture, unit('a'), settings([FAKE, '--artifact', 'out.md']));

    const error = await run(env, input).catch((e: unknown) => e);

    expect(error).toMatchObject({ type: 'WorktreeRootRefused', nonRetryable: true });
    expect((error as Error).message).toContain('set FANOUT_WORKTREES to a folder outside it');
    expect(existsSync(path.join(fixture.source, 'trees'))).toBe(false);
  });

  it('fails, never retried, when merging its starting point conflicts', async () => {
    const fixture = gitFixture();
    const branch = (name: string, content: string): string => {
      gitIn(fixture.source, 'checkout', '-q', '-b', name, fixture.base);
      writeFileSync(path.join(fixture.source, 'README.md'), content);
      gitIn(fixture.source, 'commit', '-q', '-am', `${name} edits README`);
      const sha = gitIn(fixture.source, 'rev-parse', 'HEAD');
      gitIn(fixture.source, 'checkout', '-q', 'main');
      return sha;
    };
    const merges = [
      { unitId: 'x', sha: branch('x', 'x\n') },
      { unitId: 'y', sha: branch('y', 'y\n') },
    ];
    const input = gitInput(fixture, unit('a'), settings([FAKE, '--artifact', 'out.md']), { merges });
    const attempt = new AttemptRun({ env: fixture.env, timing: TIMING });

    await expectAgentFailure(
      attempt.run(input),
      'StartConflict',
      "Worker 'a' could not start: merging x, y conflicts in README.md",
      1,
    );
    expect(attempt.heartbeats.every((beat) => beat.pid === null)).toBe(true);
    expect(refValue(fixture, UNIT_REF)).toBeNull();
  });

  it('keeps the working tree of a failed attempt with keepFailed, and copies its log', async () => {
    const fixture = gitFixture();
    const command = [FAKE, '--write', 'src/a/half.txt', 'half', '--say', 'giving up', '--exit', '3'];
    const input = gitInput(fixture, unit('a'), settings(command), { keepFailed: true });
    const attempt = new AttemptRun({ env: fixture.env, timing: TIMING });

    await expectAgentFailure(attempt.run(input), 'AgentExit', "Worker 'a' exited with code 3: giving up", 3);

    const logPath = attempt.heartbeats.find((beat) => beat.pid !== null)?.logPath ?? '';
    const tree = logPath.slice(0, logPath.indexOf('/.agent/workers/'));
    expect(tree.startsWith(`${fixture.worktrees}/`)).toBe(true);
    expect(lines(path.join(tree, 'src/a/half.txt'))).toEqual(['half']);
    expect(evidenceFile(fixture, 'a', 'logs/attempt-1.log')).toBe('giving up\n');
    expect(refValue(fixture, UNIT_REF)).toBeNull();
  });

  it('removes the working tree of a failed attempt without keepFailed', async () => {
    const fixture = gitFixture();
    const input = gitInput(fixture, unit('a'), settings([FAKE, '--write', 'src/a/half.txt', 'half']));
    const attempt = new AttemptRun({ env: fixture.env, timing: TIMING });

    const error = await attempt.run(input).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApplicationFailure);
    expect((error as ApplicationFailure).type).toBe('NoEvidence');
    const logPath = attempt.heartbeats.find((beat) => beat.pid !== null)?.logPath ?? '';
    expect(logPath).toContain(`${fixture.worktrees}/`);
    expect(existsSync(logPath)).toBe(false);
  });
});

describe('a git attempt tried again by Temporal', () => {
  it('answers from the recorded success once its ref is set, without running the agent again', async () => {
    const fixture = gitFixture();
    const count = path.join(fixture.scratch, 'count.txt');
    const command = [FAKE, '--count', count, '--write', 'src/a/f.txt', 'f', '--artifact', 'out.md'];
    const input = gitInput(fixture, unit('a'), settings(command));
    const first = await run(fixture.env, input);

    const again: AttemptSuccess = await new AttemptRun(
      { env: fixture.env, timing: TIMING },
      { attempt: 2 },
    ).run(input);

    expect(again).toEqual({ ...first, adopted: true });
    expect(lines(count)).toEqual(['a attempt=1']);
    expect(refValue(fixture, UNIT_REF)).toBe(first.git?.output);
  });

  it('refuses, never retried, a ref an earlier run under the same workflow id set, without running the agent', async () => {
    const fixture = gitFixture();
    const count = path.join(fixture.scratch, 'count.txt');
    const input = gitInput(fixture, unit('a'), settings([FAKE, '--count', count, '--artifact', 'out.md']));
    const first = await run(fixture.env, input);
    const rerun = new AttemptRun(
      { env: fixture.env, timing: TIMING },
      { workflowExecution: { workflowId: 'fanout-test-run', runId: 'a-later-run' } },
    );

    const error = await rerun.run(input).catch((e: unknown) => e);

    expect(error).toMatchObject({ type: 'UnitRefTaken', nonRetryable: true });
    expect((error as Error).message).toBe(
      `Worker 'a' cannot record its output: ${UNIT_REF} already points at ${first.git?.output}, which this run ` +
        `did not make; look at it with 'git log ${UNIT_REF}', delete it with 'git update-ref -d ${UNIT_REF}' ` +
        'if it is stale, then run again',
    );
    expect(lines(count)).toEqual(['a attempt=1']);
  });

  it('answers with the recorded failure when the failed try removed its tree, without running the agent again', async () => {
    const fixture = gitFixture();
    const count = path.join(fixture.scratch, 'count.txt');
    const input = gitInput(
      fixture,
      unit('a'),
      settings([FAKE, '--count', count, '--say', 'no luck', '--exit', '4']),
    );
    const text = "Worker 'a' exited with code 4: no luck";
    await expectAgentFailure(run(fixture.env, input), 'AgentExit', text, 4);

    const retry = new AttemptRun({ env: fixture.env, timing: TIMING }, { attempt: 2 });
    await expectAgentFailure(retry.run(input), 'AgentExit', text, 4);

    expect(lines(count)).toEqual(['a attempt=1']);
  });

  it('commits once when its worker died after the agent succeeded and before the ref moved', async () => {
    const fixture = gitFixture();
    const count = path.join(fixture.scratch, 'count.txt');
    const command = [FAKE, '--count', count, '--write', 'src/a/f.txt', 'f', '--artifact', 'out.md'];
    const input = gitInput(fixture, unit('a'), settings(command));
    const env = { ...fixture.env, FANOUT_TEST_PAUSE_BEFORE_REF: fixture.scratch };
    const first = new AttemptRun({ env, timing: TIMING });
    const firstTry = first.run(input).catch((e: unknown) => e);
    const marker = path.join(fixture.scratch, 'a-1');
    await waitFor(() => existsSync(marker));
    const recorded = JSON.parse(evidenceFile(fixture, 'a', 'attempt-1.json')) as {
      recorded: { success: AttemptSuccess };
    };
    const worktree = recorded.recorded.success.git?.worktree ?? '';
    expect(refValue(fixture, UNIT_REF)).toBeNull();
    rmSync(marker);
    const died = await firstTry;
    expect(died).toBeInstanceOf(Error);
    expect(died).not.toBeInstanceOf(ApplicationFailure);
    expect(existsSync(worktree)).toBe(true);

    const beat = first.heartbeats.at(-1);
    const second = await new AttemptRun({ env, timing: TIMING }, { attempt: 2, heartbeatDetails: beat }).run(
      input,
    );

    expect(second.adopted).toBe(true);
    expect(second.git?.output).toBe(recorded.recorded.success.git?.output);
    expect(refValue(fixture, UNIT_REF)).toBe(second.git?.output);
    expect(gitIn(fixture.source, 'rev-list', '--count', `${fixture.base}..${UNIT_REF}`)).toBe('1');
    expect(lines(count)).toEqual(['a attempt=1']);
    expect(existsSync(worktree)).toBe(false);
  });
});

describe('a git attempt whose worker shuts down while its agent runs', () => {
  it('leaves the agent and its working tree for the next try, which adopts the agent there and commits its work', async () => {
    const fixture = gitFixture();
    const count = path.join(fixture.scratch, 'count.txt');
    const command = [FAKE, '--count', count, '--ticks', '12', '100', '--write', 'src/a/f.txt', 'f'];
    const input = gitInput(fixture, unit('a'), settings([...command, '--artifact', 'out.md']));
    const first = new AttemptRun({ env: fixture.env, timing: TIMING });
    const firstTry = first.run(input).catch((e: unknown) => e);
    await waitFor(() => first.heartbeats.some((beat) => beat.lastLines.includes('tick 2')));
    first.env.cancel('WORKER_SHUTDOWN', new ActivityCancellationDetails({ workerShutdown: true }));
    expect(await firstTry).toMatchObject({ type: 'AgentLeftRunning', nonRetryable: false });
    const beat = first.heartbeats.at(-1);
    const logPath = beat?.logPath ?? '';
    expect(existsSync(logPath)).toBe(true);

    const retry = new AttemptRun(
      { env: fixture.env, timing: TIMING },
      { attempt: 2, heartbeatDetails: beat },
    );
    const success = await retry.run(input);

    expect(success.adopted).toBe(true);
    expect(lines(count)).toEqual(['a attempt=1']);
    expect(changedBy(fixture, success.git?.output ?? '')).toEqual(['src/a/f.txt']);
    expect(lines(success.logPath).filter((line) => line.startsWith('tick'))).toHaveLength(12);
    expect(existsSync(logPath)).toBe(false);
  });
});

async function waitFor(probe: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
