/**
 * A git unit's attempt in a remote run (SPEC §10) with real git, a bare repository as the remote,
 * the real activity code (mock activity environment) and the fake agent: no checkout on the worker,
 * its output and evidence pushed to the remote, the host recorded, an earlier try answered from
 * the remote on another host, and a remote the worker cannot reach.
 */
import { ApplicationFailure } from '@temporalio/common';
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { HostIdentity } from '../../../src/contracts/hosts';
import type { AgentFailureDetails } from '../../../src/errors';
import { FAKE, AttemptRun, expectAgentFailure, reapGroups, settings, unit } from '../helpers';
import { gitIn, lines, removeGitFixtures } from './git-fixture';
import {
  remoteFile,
  remoteFixture,
  remoteInput,
  remoteRef,
  removeRemoteFixtures,
  workerHost,
  type RemoteFixture,
} from './remote-fixture';

afterEach(reapGroups);
afterAll(() => {
  removeGitFixtures();
  removeRemoteFixtures();
});

const TIMING = { pollMs: 50, heartbeatMs: 200 };
const UNIT_REF = 'refs/fanout/fanout-test-run/units/a';
const EVIDENCE_REF = 'refs/fanout/fanout-test-run/evidence/a';

function on(fixture: RemoteFixture, host: HostIdentity): AttemptRun {
  return new AttemptRun({ env: fixture.env, timing: TIMING, host });
}

describe('a remote attempt that succeeds', () => {
  it('runs from the remote with no checkout, pushes its evidence and its output, and records its host', async () => {
    const fixture = remoteFixture();
    const host = workerHost('host-a');
    const command = [FAKE, '--write', 'src/a/file.txt', 'from a', '--artifact', 'out.md'];
    const input = remoteInput(fixture, unit('a'), settings(command));
    const worker = on(fixture, host);

    const success = await worker.run(input);

    const output = success.git?.output ?? '';
    expect(success.host).toBe('host-a');
    expect(remoteRef(fixture, UNIT_REF)).toBe(output);
    expect(gitIn(fixture.remote, 'rev-parse', `${output}^`)).toBe(fixture.base);
    expect(remoteFile(fixture, output, 'src/a/file.txt')).toBe('from a');
    const evidence = remoteRef(fixture, EVIDENCE_REF) ?? '';
    expect(remoteFile(fixture, evidence, 'artifacts/out.md')).toBe('fake agent artifact');
    expect(JSON.parse(remoteFile(fixture, evidence, 'worker-manifest.json'))).toMatchObject({ unit_id: 'a' });
    expect(gitIn(fixture.remote, 'ls-tree', '-r', '--name-only', evidence).split('\n')).toEqual(
      expect.arrayContaining(['attempt-1.json', 'logs/attempt-1.log']),
    );
    expect(gitIn(fixture.remote, 'log', '-1', '--format=%B', evidence)).toBe(
      'Evidence of a attempt 1\n\nFanout-Run: fanout-test-run\nFanout-Unit: a\nFanout-Attempt: 1',
    );
    // Everything on the worker lives in its work directory: clone, (removed) tree, evidence.
    expect(success.git?.worktree.startsWith(`${host.workdir}/`)).toBe(true);
    expect(existsSync(success.git?.worktree ?? '')).toBe(false);
    expect(success.logPath).toBe(path.join(host.workdir, 'evidence/fanout-test-run/a/logs/attempt-1.log'));
    expect(readdirSync(path.join(host.workdir, 'remotes'))).toHaveLength(1);
    // The source checkout was never used: no evidence copy, no ref.
    expect(existsSync(path.join(fixture.source, '.agent'))).toBe(false);
    expect(gitIn(fixture.source, 'for-each-ref', 'refs/fanout')).toBe('');
  });

  it('says which host holds it from its very first heartbeat, in each heartbeat outside its agent', async () => {
    const fixture = remoteFixture();
    const host = workerHost('host-a');
    const worker = on(fixture, host);

    await worker.run(remoteInput(fixture, unit('a'), settings([FAKE, '--artifact', 'out.md'])));

    expect(worker.heartbeats[0]).toMatchObject({ phase: 'preparing', host: 'host-a', hostQueue: host.queue });
    // The agent's heartbeats in between are the agent code's; the git attempt sends the first and the last.
    expect(worker.heartbeats.at(-1)).toMatchObject({
      phase: 'collecting',
      host: 'host-a',
      hostQueue: host.queue,
    });
  });

  it('fetches the outputs it builds on from the remote by SHA', async () => {
    const fixture = remoteFixture();
    const first = await on(fixture, workerHost('host-a')).run(
      remoteInput(
        fixture,
        unit('a'),
        settings([FAKE, '--write', 'src/a/one.txt', '1', '--artifact', 'out.md']),
      ),
    );
    const output = first.git?.output ?? '';
    const merges = [{ unitId: 'a', sha: output }];
    const command = [FAKE, '--write', 'src/b/two.txt', '2', '--artifact', 'out.md'];

    const second = await on(fixture, workerHost('host-b')).run(
      remoteInput(fixture, unit('b'), settings(command), { merges }),
    );

    expect(second.git?.start).toBe(output);
    expect(remoteRef(fixture, 'refs/fanout/fanout-test-run/units/b')).toBe(second.git?.output);
    expect(remoteFile(fixture, second.git?.output ?? '', 'src/a/one.txt')).toBe('1');
  });
});

describe('a remote attempt under confinement: landlock (SPEC §8.1 in a tree of the worker’s clone)', () => {
  it('writes only its area of the working tree, and its output holds just that', async () => {
    const fixture = remoteFixture();
    const command = [
      FAKE,
      '--try-touch',
      'README.md',
      '--try-touch',
      'src/a/mine.txt',
      '--artifact',
      'out.md',
    ];
    const input = remoteInput(fixture, unit('a'), settings(command, { confinement: 'landlock' }));

    const success = await on(fixture, workerHost('host-a')).run(input);

    expect(success.containment?.confinement).toBe('landlock');
    expect(lines(success.logPath)).toEqual(['denied README.md', 'wrote src/a/mine.txt']);
    const output = success.git?.output ?? '';
    expect(gitIn(fixture.remote, 'diff', '--name-only', fixture.base, output)).toBe('src/a/mine.txt');
  });
});

describe('a remote attempt that fails', () => {
  it('pushes its evidence and log, and its failure names its host', async () => {
    const fixture = remoteFixture();
    const input = remoteInput(fixture, unit('a'), settings([FAKE, '--say', 'no luck', '--exit', '4']));

    const failure = await expectAgentFailure(
      on(fixture, workerHost('host-a')).run(input),
      'AgentExit',
      "Worker 'a' exited with code 4: no luck",
      4,
    );

    expect((failure.details?.[0] as AgentFailureDetails).host).toBe('host-a');
    expect(remoteRef(fixture, UNIT_REF)).toBeNull();
    const evidence = remoteRef(fixture, EVIDENCE_REF) ?? '';
    expect(remoteFile(fixture, evidence, 'logs/attempt-1.log')).toContain('no luck');
  });

  it('keeps the evidence of earlier attempts in the next evidence commit, from another host', async () => {
    const fixture = remoteFixture();
    const failing = remoteInput(fixture, unit('a'), settings([FAKE, '--say', 'first', '--exit', '4']));
    await on(fixture, workerHost('host-a'))
      .run(failing)
      .catch(() => undefined);
    const first = remoteRef(fixture, EVIDENCE_REF) ?? '';

    const command = [FAKE, '--say', 'second', '--artifact', 'out.md'];
    await on(fixture, workerHost('host-b')).run(
      remoteInput(fixture, unit('a'), settings(command), { attempt: 2 }),
    );

    const second = remoteRef(fixture, EVIDENCE_REF) ?? '';
    expect(gitIn(fixture.remote, 'rev-parse', `${second}^`)).toBe(first);
    expect(remoteFile(fixture, second, 'logs/attempt-1.log')).toContain('first');
    expect(remoteFile(fixture, second, 'logs/attempt-2.log')).toContain('second');
  });
});

describe('a remote attempt tried again on another host', () => {
  it('answers from the success recorded in the evidence once the unit ref is on the remote, without running the agent', async () => {
    const fixture = remoteFixture();
    const count = path.join(fixture.scratch, 'count.txt');
    const command = [FAKE, '--count', count, '--write', 'src/a/f.txt', 'f', '--artifact', 'out.md'];
    const input = remoteInput(fixture, unit('a'), settings(command));
    const first = await on(fixture, workerHost('host-a')).run(input);

    const again = await on(fixture, workerHost('host-b')).run({ ...input, adopt: true });

    expect(again).toEqual({ ...first, adopted: true });
    expect(lines(count)).toEqual(['a attempt=1']);
  });

  it('answers with the failure recorded in the evidence, without running the agent', async () => {
    const fixture = remoteFixture();
    const count = path.join(fixture.scratch, 'count.txt');
    const input = remoteInput(
      fixture,
      unit('a'),
      settings([FAKE, '--count', count, '--say', 'no', '--exit', '4']),
    );
    const text = "Worker 'a' exited with code 4: no";
    await expectAgentFailure(on(fixture, workerHost('host-a')).run(input), 'AgentExit', text, 4);

    const failure = await expectAgentFailure(
      on(fixture, workerHost('host-b')).run(input),
      'AgentExit',
      text,
      4,
    );

    // The host that ran the attempt, not the one that answered for it.
    expect((failure.details?.[0] as AgentFailureDetails).host).toBe('host-a');
    expect(lines(count)).toEqual(['a attempt=1']);
  });

  it('refuses, never retried, a unit ref on the remote this run did not make', async () => {
    const fixture = remoteFixture();
    gitIn(fixture.source, 'push', '-q', fixture.remote, `${fixture.base}:${UNIT_REF}`);
    const count = path.join(fixture.scratch, 'count.txt');
    const input = remoteInput(fixture, unit('a'), settings([FAKE, '--count', count, '--artifact', 'out.md']));

    const error = await on(fixture, workerHost('host-a'))
      .run(input)
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ type: 'UnitRefTaken', nonRetryable: true });
    expect(existsSync(count)).toBe(false);
  });
});

describe('a remote attempt whose worker died before its refs were pushed', () => {
  it('is continued on the same host: the same output, its evidence and unit ref pushed once, the agent run once', async () => {
    const fixture = remoteFixture();
    const host = workerHost('host-a');
    const count = path.join(fixture.scratch, 'count.txt');
    const command = [FAKE, '--count', count, '--write', 'src/a/f.txt', 'f', '--artifact', 'out.md'];
    const input = remoteInput(fixture, unit('a'), settings(command));
    const env = { ...fixture.env, FANOUT_TEST_PAUSE_BEFORE_REF: fixture.scratch };
    const first = new AttemptRun({ env, timing: TIMING, host });
    const firstTry = first.run(input).catch((e: unknown) => e);
    const marker = path.join(fixture.scratch, 'a-1');
    await waitFor(() => existsSync(marker));
    expect(remoteRef(fixture, EVIDENCE_REF)).toBeNull();
    rmSync(marker);
    expect(await firstTry).not.toBeInstanceOf(ApplicationFailure);

    const beat = first.heartbeats.at(-1);
    const second = await new AttemptRun(
      { env, timing: TIMING, host },
      { attempt: 2, heartbeatDetails: beat },
    ).run({ ...input, adopt: true });

    expect(second.adopted).toBe(true);
    expect(remoteRef(fixture, UNIT_REF)).toBe(second.git?.output);
    expect(gitIn(fixture.remote, 'rev-list', '--count', EVIDENCE_REF)).toBe('1');
    expect(lines(count)).toEqual(['a attempt=1']);
  });
});

describe('a remote that goes away while the agent runs', () => {
  it('fails the try as RemoteUnreachable with its tree kept; the next try on that host pushes the same output', async () => {
    const fixture = remoteFixture();
    const host = workerHost('host-a');
    const count = path.join(fixture.scratch, 'count.txt');
    const marker = path.join(fixture.scratch, 'running');
    const command = [FAKE, '--count', count, '--write', 'src/a/f.txt', 'f'];
    const agent = [...command, '--write', marker, 'x', '--sleep-ms', '1500', '--artifact', 'out.md'];
    const input = remoteInput(fixture, unit('a'), settings(agent));
    const first = new AttemptRun({ env: fixture.env, timing: TIMING, host });
    const firstTry = first.run(input).catch((e: unknown) => e);
    await waitFor(() => existsSync(marker));
    const away = `${fixture.remote}.away`;
    renameSync(fixture.remote, away);

    const error = await firstTry;
    renameSync(away, fixture.remote);

    expect(error).toMatchObject({ type: 'RemoteUnreachable', nonRetryable: false });
    expect(remoteRef(fixture, UNIT_REF)).toBeNull();
    const second = await new AttemptRun(
      { env: fixture.env, timing: TIMING, host },
      { attempt: 2, heartbeatDetails: first.heartbeats.at(-1) },
    ).run({ ...input, adopt: true });
    expect(second.adopted).toBe(true);
    expect(remoteRef(fixture, UNIT_REF)).toBe(second.git?.output);
    expect(remoteFile(fixture, second.git?.output ?? '', 'src/a/f.txt')).toBe('f');
    expect(lines(count)).toEqual(['a attempt=1']);
  });
});

describe('a remote attempt on a worker that did not say who it is', () => {
  it('works under FANOUT_WORKTREES and records no host', async () => {
    const fixture = remoteFixture();
    const input = remoteInput(fixture, unit('a'), settings([FAKE, '--artifact', 'out.md']));

    const success = await new AttemptRun({ env: fixture.env, timing: TIMING }).run(input);

    expect(success.host).toBeUndefined();
    expect(success.git?.worktree.startsWith(`${fixture.worktrees}/`)).toBe(true);
    expect(readdirSync(path.join(fixture.worktrees, 'remotes'))).toHaveLength(1);
    expect(remoteRef(fixture, UNIT_REF)).toBe(success.git?.output);
  });
});

describe('a remote the worker cannot reach', () => {
  it.each([
    ['a path that is not a repository', (fixture: RemoteFixture) => fixture.scratch],
    ['a file:// URL of nothing', (fixture: RemoteFixture) => `file://${fixture.scratch}/none.git`],
  ])(
    'fails the try as a retryable RemoteUnreachable naming the remote, agent not started: %s',
    async (_name, urlOf) => {
      const fixture = remoteFixture();
      const url = urlOf(fixture);
      const count = path.join(fixture.scratch, 'count.txt');
      const input = remoteInput(
        fixture,
        unit('a'),
        settings([FAKE, '--count', count, '--artifact', 'out.md']),
        { url },
      );
      const worker = on(fixture, workerHost('host-a'));

      const error = await worker.run(input).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ApplicationFailure);
      expect(error).toMatchObject({ type: 'RemoteUnreachable', nonRetryable: false });
      expect((error as Error).message).toMatch(
        /^could not reach the remote .+: .+; check the URL and this host's access to it$/,
      );
      expect((error as Error).message).toContain(`the remote ${url}: `);
      expect(existsSync(count)).toBe(false);
      expect(worker.heartbeats[0]).toMatchObject({ phase: 'preparing', host: 'host-a' });
    },
  );
});

async function waitFor(probe: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
