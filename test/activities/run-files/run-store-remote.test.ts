/** A remote run's run store (SPEC §10): files as one-file commits on the remote, `git:` paths read back anywhere. */
import { ApplicationFailure } from '@temporalio/common';
import {
  storeRunSegment,
  writeRunResult,
  readVerified,
  digest,
} from '../../../src/activities/run-files/run-store';
import { writeRunSummary } from '../../../src/activities/run-files/summary';
import { loadStoredResult } from '../../../src/client/run/stored-result';
import type { FanoutResult, UnitResult } from '../../../src/plan/types';
import { IDENTITY } from '../../git/git-repo';
import { gitIn, removeGitFixtures } from '../git-workspace/git-fixture';
import {
  remoteFixture,
  remoteRef,
  removeRemoteFixtures,
  workerHost,
  type RemoteFixture,
} from '../git-workspace/remote-fixture';

afterAll(() => {
  removeGitFixtures();
  removeRemoteFixtures();
});

const WORKFLOW_ID = 'fanout-store-test';
const FIRST_RUN_ID = '0b5e3c2a-1111-4222-8333-444455556666';
const STORE = `refs/fanout/${WORKFLOW_ID}/store/${FIRST_RUN_ID}`;

function unit(status: UnitResult['status']): UnitResult {
  return {
    status,
    attempts: 1,
    exit_code: status === 'SUCCEEDED' ? 0 : 1,
    error: status === 'SUCCEEDED' ? null : 'no',
    artifacts: status === 'SUCCEEDED' ? [{ name: 'report.md', size: 2, sha256: '0'.repeat(64) }] : [],
    started_at: '2026-01-01T00:00:00.000Z',
    finished_at: '2026-01-01T00:00:01.000Z',
  };
}

function location(fixture: RemoteFixture, url = fixture.remote) {
  return {
    repo: '',
    workflowId: WORKFLOW_ID,
    firstRunId: FIRST_RUN_ID,
    remote: { url, identity: IDENTITY },
  };
}

const HEADER = { workflow_id: WORKFLOW_ID, run_id: FIRST_RUN_ID, status: 'succeeded' as const };

describe('the run store of a remote run', () => {
  it('pushes segments and the result as refs any other host (and the client) reads and verifies', async () => {
    const fixture = remoteFixture();
    const [hostA, hostB, hostC] = ['a', 'b', 'c'].map((id) => workerHost(`store-${id}`));
    const events = [{ type: 'worker_started' as const, unit_id: 'x' }] as unknown as FanoutResult['events'];
    const first = await storeRunSegment(
      { ...location(fixture), name: 'segment-0001-0000', events, units: { x: unit('SUCCEEDED') } },
      { host: hostA },
    );
    const second = await storeRunSegment(
      { ...location(fixture), name: 'segment-0002-0000', events: [], units: { y: unit('FAILED') } },
      { host: hostB },
    );
    expect(first.path).toBe(`git:${STORE}/segment-0001-0000`);
    expect(remoteRef(fixture, `${STORE}/segment-0001-0000`)).not.toBeNull();

    const stored = await writeRunResult(
      { ...location(fixture), header: HEADER, segments: [first, second], unitOrder: ['y', 'x'] },
      { host: hostC },
    );
    expect(stored.path).toBe(`git:${STORE}/result`);
    const text = await readVerified(stored.path, stored.sha256, {
      url: fixture.remote,
      deps: { host: hostA },
    });
    expect(digest(text)).toBe(stored.sha256);
    const result = JSON.parse(text) as FanoutResult;
    expect(Object.keys(result.units)).toEqual(['y', 'x']);
    expect(result.events).toEqual(events);

    const recorded: FanoutResult = {
      ...HEADER,
      events: [],
      units: {},
      result_file: stored.path,
      result_sha256: stored.sha256,
    };
    const loaded = await loadStoredResult(recorded, fixture.remote);
    expect(loaded.units['x']?.status).toBe('SUCCEEDED');
    expect(loaded.result_file).toBe(stored.path);
    await expect(loadStoredResult(recorded)).rejects.toThrow(/stored on its remote as git:refs\/fanout\//);
  });

  it('a retried store makes the same commit and finds it pushed, from any host', async () => {
    const fixture = remoteFixture();
    const input = {
      ...location(fixture),
      name: 'segment-0001-0000',
      events: [],
      units: { x: unit('SUCCEEDED') },
    };
    const once = await storeRunSegment(input, { host: workerHost('retry-a') });
    const sha = remoteRef(fixture, `${STORE}/segment-0001-0000`);
    const again = await storeRunSegment(input, { host: workerHost('retry-b') });
    expect(again).toEqual(once);
    expect(remoteRef(fixture, `${STORE}/segment-0001-0000`)).toBe(sha);
  });

  it('refuses a ref that holds another commit, a changed file, a missing ref and a git: path without a remote', async () => {
    const fixture = remoteFixture();
    const deps = { host: workerHost('refuse') };
    const ref = `${STORE}/segment-0001-0000`;
    gitIn(fixture.remote, 'update-ref', ref, fixture.base);
    const input = { ...location(fixture), name: 'segment-0001-0000', events: [], units: {} };
    await expect(storeRunSegment(input, deps)).rejects.toMatchObject({
      type: 'RunStoreCorrupt',
      nonRetryable: true,
    });

    const stored = await storeRunSegment({ ...input, name: 'segment-0001-0001' }, deps);
    const source = { url: fixture.remote, deps };
    await expect(readVerified(stored.path, '0'.repeat(64), source)).rejects.toMatchObject({
      type: 'RunStoreCorrupt',
    });
    const missing = readVerified(`git:${STORE}/nothing`, stored.sha256, source);
    await expect(missing).rejects.toMatchObject({ type: 'RunStoreMissing' });
    await expect(missing).rejects.toThrow(`has no ${STORE}/nothing`);
    await expect(readVerified(stored.path, stored.sha256)).rejects.toMatchObject({ type: 'RunStoreMissing' });
  });

  it('a remote it cannot reach is a retryable RemoteUnreachable failure', async () => {
    const fixture = remoteFixture();
    const gone = `${fixture.remote}-gone`;
    const error: unknown = await storeRunSegment(
      { ...location(fixture, gone), name: 'segment-0001-0000', events: [], units: {} },
      { host: workerHost('gone') },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'RemoteUnreachable', nonRetryable: false });
  });

  it('the summary of a stored remote result reads it from the remote', async () => {
    const fixture = remoteFixture();
    const host = workerHost('summary');
    const segment = await storeRunSegment(
      { ...location(fixture), name: 'segment-0001-0000', events: [], units: { x: unit('SUCCEEDED') } },
      { host },
    );
    const stored = await writeRunResult(
      { ...location(fixture), header: HEADER, segments: [segment], unitOrder: ['x'] },
      { host },
    );
    const summary = await writeRunSummary(
      {
        repo: '',
        namespaceRoot: '.agent/workers',
        evidencePattern: '*',
        resultFile: { path: stored.path, sha256: stored.sha256 },
        remote: { url: fixture.remote, runId: WORKFLOW_ID, identity: IDENTITY },
      },
      { host: workerHost('summary-b') },
    );
    const [file] = summary.files;
    const [ref, name] = (file ?? '').split(':');
    expect(gitIn(fixture.remote, 'show', `${ref}:${name}`)).toContain('- **x**: succeeded (1 artifact(s))');
  });
});
