/**
 * Integration and the run's end in a remote run (SPEC §10), with real git and a bare repository
 * as the remote: merges made in a worker's clone from commits fetched by SHA, every ref on the
 * remote moved with a lease, a remote the worker cannot reach.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import type { FinishGitInput, IntegrateInput } from '../../../src/contracts/git';
import type { HostIdentity } from '../../../src/contracts/hosts';
import { finishGitRun } from '../../../src/activities/git-workspace/finish-git-run';
import { integrateUnit } from '../../../src/activities/git-workspace/integrate-unit';
import { IDENTITY, commitFiles } from '../../git/git-repo';
import { gitIn, removeGitFixtures } from './git-fixture';
import {
  remoteFixture,
  remoteRef,
  removeRemoteFixtures,
  workerHost,
  type RemoteFixture,
} from './remote-fixture';

afterAll(() => {
  removeGitFixtures();
  removeRemoteFixtures();
});

const INTEGRATION_REF = 'refs/fanout/fanout-test-run/integration';
const BRANCH = 'fanout/demo-0123abcd';
const QUIET = { logger: new DefaultLogger('ERROR') };

function inActivity<T>(step: () => Promise<T>): Promise<T> {
  return new MockActivityEnvironment(undefined, QUIET).run(step);
}

/** Commits made in the checkout and pushed to the remote under unit refs, as attempts would. */
function unitOutputs(
  fixture: RemoteFixture,
  files: Record<string, Record<string, string>>,
): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const [unitId, content] of Object.entries(files)) {
    const sha = commitFiles(fixture.source, content, unitId, fixture.base);
    gitIn(fixture.source, 'push', '-q', fixture.remote, `${sha}:refs/fanout/fanout-test-run/units/${unitId}`);
    outputs[unitId] = sha;
  }
  return outputs;
}

function integrateInput(
  fixture: RemoteFixture,
  unitId: string,
  integration: string,
  output: string,
): IntegrateInput {
  return {
    repo: '',
    remote: fixture.remote,
    runId: 'fanout-test-run',
    unitId,
    integration,
    output,
    identity: IDENTITY,
  };
}

function finishInput(fixture: RemoteFixture, integration: string, into?: string): FinishGitInput {
  return {
    repo: '',
    remote: `file://${fixture.remote}`,
    runId: 'fanout-test-run',
    base: fixture.base,
    integration,
    branch: BRANCH,
    ...(into === undefined ? {} : { into }),
    identity: IDENTITY,
  };
}

describe('integrateUnit in a remote run', () => {
  it('merges on any worker and pushes the integration ref with a lease; a repeated call changes nothing', async () => {
    const fixture = remoteFixture();
    const { a = '', b = '' } = unitOutputs(fixture, {
      a: { 'src/a/f.txt': 'a\n' },
      b: { 'src/b/f.txt': 'b\n' },
    });
    const [hostA, hostB]: HostIdentity[] = [workerHost('host-a'), workerHost('host-b')];

    const first = await inActivity(() =>
      integrateUnit(integrateInput(fixture, 'a', fixture.base, a), { host: hostA }),
    );
    expect(first).toEqual({ kind: 'integrated', integration: a });
    expect(remoteRef(fixture, INTEGRATION_REF)).toBe(a);

    const second = await inActivity(() => integrateUnit(integrateInput(fixture, 'b', a, b), { host: hostB }));
    const merged = second.kind === 'integrated' ? second.integration : '';
    expect(remoteRef(fixture, INTEGRATION_REF)).toBe(merged);
    expect(gitIn(fixture.remote, 'rev-parse', `${merged}^1`, `${merged}^2`)).toBe(`${a}\n${b}`);

    const again = await inActivity(() => integrateUnit(integrateInput(fixture, 'b', a, b), { host: hostA }));
    expect(again).toEqual(second);
    expect(remoteRef(fixture, INTEGRATION_REF)).toBe(merged);
  });

  it('fails, never retried, when someone else moved the integration ref on the remote', async () => {
    const fixture = remoteFixture();
    const { a = '', b = '' } = unitOutputs(fixture, {
      a: { 'src/a/f.txt': 'a\n' },
      b: { 'src/b/f.txt': 'b\n' },
    });
    gitIn(fixture.source, 'push', '-q', fixture.remote, `${b}:${INTEGRATION_REF}`);

    const error = await inActivity(() =>
      integrateUnit(integrateInput(fixture, 'a', fixture.base, a), { host: workerHost('host-a') }),
    ).catch((e: unknown) => e);

    expect(error).toMatchObject({ type: 'IntegrationRefMoved', nonRetryable: true });
    expect(remoteRef(fixture, INTEGRATION_REF)).toBe(b);
  });

  it('fails as a retryable RemoteUnreachable when the remote is not a repository', async () => {
    const fixture = remoteFixture();
    const input = { ...integrateInput(fixture, 'a', fixture.base, fixture.base), remote: fixture.scratch };

    const error = await inActivity(() => integrateUnit(input, { host: workerHost('host-a') })).catch(
      (e: unknown) => e,
    );

    expect(error).toMatchObject({ type: 'RemoteUnreachable', nonRetryable: false });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^could not reach the remote ${fixture.scratch}: .+; check the URL and this host's access to it$`,
      ),
    );
  });
});

describe('finishGitRun in a remote run', () => {
  it('pushes the run branch, and a repeated call is fine', async () => {
    const fixture = remoteFixture();
    const { a = '' } = unitOutputs(fixture, { a: { 'src/a/f.txt': 'a\n' } });
    const host = workerHost('host-a');

    expect(await inActivity(() => finishGitRun(finishInput(fixture, a), { host }))).toEqual({
      branch: BRANCH,
    });
    expect(await inActivity(() => finishGitRun(finishInput(fixture, a), { host }))).toEqual({
      branch: BRANCH,
    });
    expect(remoteRef(fixture, `refs/heads/${BRANCH}`)).toBe(a);
  });

  it('fails, never retried, when the run branch exists on the remote at another commit, and leaves it alone', async () => {
    const fixture = remoteFixture();
    const { a = '' } = unitOutputs(fixture, { a: { 'src/a/f.txt': 'a\n' } });
    gitIn(fixture.source, 'push', '-q', fixture.remote, `${fixture.base}:refs/heads/${BRANCH}`);

    const error = await inActivity(() =>
      finishGitRun(finishInput(fixture, a), { host: workerHost('host-a') }),
    ).catch((e: unknown) => e);

    expect(error).toMatchObject({ type: 'RunBranchTaken', nonRetryable: true });
    expect((error as Error).message).toContain(
      `delete it with 'git push file://${fixture.remote} --delete ${BRANCH}'`,
    );
    expect(remoteRef(fixture, `refs/heads/${BRANCH}`)).toBe(fixture.base);
  });

  it('fast-forwards --into on the remote when it has not moved since the base', async () => {
    const fixture = remoteFixture();
    const { a = '' } = unitOutputs(fixture, { a: { 'src/a/f.txt': 'a\n' } });

    const answer = await inActivity(() =>
      finishGitRun(finishInput(fixture, a, 'main'), { host: workerHost('h') }),
    );

    expect(answer.into).toMatchObject({ branch: 'main', outcome: 'fast-forward' });
    expect(remoteRef(fixture, 'refs/heads/main')).toBe(a);
  });

  it('merges into a moved --into branch when clean, and leaves it alone when the merge conflicts', async () => {
    const fixture = remoteFixture();
    const { a = '' } = unitOutputs(fixture, { a: { 'src/a/f.txt': 'a\n' } });
    const moved = commitFiles(fixture.source, { 'other.txt': 'o\n' }, 'moved', fixture.base);
    const clashing = commitFiles(fixture.source, { 'src/a/f.txt': 'theirs\n' }, 'clash', fixture.base);
    gitIn(
      fixture.source,
      'push',
      '-q',
      fixture.remote,
      `${moved}:refs/heads/release`,
      `${clashing}:refs/heads/hot`,
    );
    const host = workerHost('host-a');

    const merged = await inActivity(() => finishGitRun(finishInput(fixture, a, 'release'), { host }));
    const conflict = await inActivity(() => finishGitRun(finishInput(fixture, a, 'hot'), { host }));

    expect(merged.into).toMatchObject({ branch: 'release', outcome: 'merge' });
    const head = remoteRef(fixture, 'refs/heads/release') ?? '';
    expect(gitIn(fixture.remote, 'rev-parse', `${head}^1`, `${head}^2`)).toBe(`${moved}\n${a}`);
    expect(conflict.into).toMatchObject({ branch: 'hot', outcome: 'conflict' });
    expect(conflict.into?.message).toContain("Left 'hot' alone: merging");
    expect(remoteRef(fixture, 'refs/heads/hot')).toBe(clashing);
  });
});
