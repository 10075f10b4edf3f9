/**
 * A retry of a remote run (SPEC §10, §9 "Retry"): an earlier success is reused only when its output
 * commit is still on the remote and its evidence ref holds its manifest and unchanged artifacts;
 * checked from a worker with no checkout and no copy of its own.
 */
import { verifyArtifacts } from '../../../src/activities/unit-files/verify-artifacts';
import type { AttemptSuccess } from '../../../src/activities/types';
import { FAKE, AttemptRun, reapGroups, settings, unit } from '../helpers';
import { gitIn, removeGitFixtures } from './git-fixture';
import {
  remoteFixture,
  remoteInput,
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

async function succeeded(fixture: RemoteFixture, unitId: string): Promise<AttemptSuccess> {
  const command = [FAKE, '--write', `src/${unitId}/f.txt`, unitId, '--artifact', 'out.md'];
  const host = workerHost(`host-${unitId}`);
  return new AttemptRun({ env: fixture.env, timing: TIMING, host }).run(
    remoteInput(fixture, unit(unitId), settings(command)),
  );
}

function verify(fixture: RemoteFixture, successes: Record<string, AttemptSuccess>): Promise<string[]> {
  const units = Object.fromEntries(Object.entries(successes).map(([id, success]) => [id, success.artifacts]));
  const commits = Object.fromEntries(
    Object.entries(successes).map(([id, success]) => [id, success.git?.output ?? '']),
  );
  const git = { runId: 'fanout-test-run', commits, remote: fixture.remote };
  return verifyArtifacts(
    { repo: '', namespaceRoot: '.agent/workers', units, git },
    { host: workerHost('checker') },
  );
}

describe('verifyArtifacts of a remote run', () => {
  it('reuses units whose commit and evidence are on the remote, from a worker that never ran them', async () => {
    const fixture = remoteFixture();
    const successes = { a: await succeeded(fixture, 'a'), b: await succeeded(fixture, 'b') };

    expect((await verify(fixture, successes)).sort()).toEqual(['a', 'b']);
  });

  it('finds a commit by SHA when its unit ref is gone, and refuses one the remote does not have', async () => {
    const fixture = remoteFixture();
    const a = await succeeded(fixture, 'a');
    const b = await succeeded(fixture, 'b');
    // a's commit stays reachable from a branch; b's ref is deleted and its commit named wrongly.
    gitIn(fixture.remote, 'update-ref', 'refs/heads/keep-a', a.git?.output ?? '');
    gitIn(fixture.remote, 'update-ref', '-d', 'refs/fanout/fanout-test-run/units/a');
    const wrongB = { ...b, git: { start: '', worktree: '', output: '1'.repeat(40) } };

    expect(await verify(fixture, { a, b: wrongB })).toEqual(['a']);
  });

  it('refuses a unit whose evidence ref is missing or whose artifact changed', async () => {
    const fixture = remoteFixture();
    const a = await succeeded(fixture, 'a');
    const b = await succeeded(fixture, 'b');
    gitIn(fixture.remote, 'update-ref', '-d', 'refs/fanout/fanout-test-run/evidence/a');
    const changedB = {
      ...b,
      artifacts: [{ ...(b.artifacts[0] ?? { name: 'out.md', size: 0 }), sha256: '0'.repeat(64) }],
    };

    expect(await verify(fixture, { a, b: changedB })).toEqual([]);
    expect(await verify(fixture, { b })).toEqual(['b']);
  });

  it('fails as a retryable RemoteUnreachable when the remote cannot be reached', async () => {
    const fixture = remoteFixture();
    const git = { runId: 'fanout-test-run', commits: { a: '1'.repeat(40) }, remote: fixture.scratch };
    const units = { a: [{ name: 'out.md', size: 1, sha256: '0'.repeat(64) }] };

    const error = await verifyArtifacts(
      { repo: '', namespaceRoot: '.agent/workers', units, git },
      { host: workerHost('checker') },
    ).catch((e: unknown) => e);

    expect(error).toMatchObject({ type: 'RemoteUnreachable', nonRetryable: false });
  });
});
