/** The summary of a remote run (SPEC §10): pushed to the remote's summary ref, no checkout written. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { writeRunSummary } from '../../../src/activities/run-files/summary';
import type { SummaryInput } from '../../../src/activities/types';
import { IDENTITY } from '../../git/git-repo';
import { gitIn, removeGitFixtures } from './git-fixture';
import {
  remoteFile,
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

const SUMMARY_REF = 'refs/fanout/fanout-test-run/summary';

function summaryInput(fixture: RemoteFixture, url = fixture.remote): SummaryInput {
  return {
    repo: '',
    namespaceRoot: '.agent/workers',
    evidencePattern: '*',
    units: [
      { unitId: 'a', status: 'SUCCEEDED', error: null, launched: true, evidenceCount: 2 },
      { unitId: 'b', status: 'FAILED', error: "Worker 'b' exited with code 4: no", launched: true },
    ],
    git: {
      base: fixture.base,
      integration: fixture.base,
      branch: 'fanout/demo-0123abcd',
      units: { a: fixture.base },
    },
    remote: { url, runId: 'fanout-test-run', identity: IDENTITY },
  };
}

describe('writeRunSummary of a remote run', () => {
  it('pushes both summary files as one commit to the summary ref, and a repeated call changes nothing', async () => {
    const fixture = remoteFixture();
    const host = workerHost('host-a');

    const result = await writeRunSummary(summaryInput(fixture), { host });
    const first = remoteRef(fixture, SUMMARY_REF) ?? '';
    await writeRunSummary(summaryInput(fixture), { host: workerHost('host-b') });

    expect(result.files).toEqual([
      `${SUMMARY_REF}:.agent/artifacts/parallel_development_summary.md`,
      `${SUMMARY_REF}:.agent/DEVELOPMENT_RESULT.md`,
    ]);
    expect(remoteRef(fixture, SUMMARY_REF)).toBe(first);
    const text = remoteFile(fixture, first, '.agent/DEVELOPMENT_RESULT.md');
    expect(text).toContain('- **a**: succeeded (2 artifact(s), commit');
    expect(text).toContain("- **b**: failed (0 artifact(s)) — Worker 'b' exited with code 4: no");
    expect(text).toContain('- branch: fanout/demo-0123abcd');
    expect(remoteFile(fixture, first, '.agent/artifacts/parallel_development_summary.md')).toBe(text);
    expect(gitIn(fixture.remote, 'ls-tree', '-r', '--name-only', first).split('\n')).toHaveLength(2);
    expect(existsSync(path.join(fixture.source, '.agent'))).toBe(false);
  });

  it('pushes a changed summary on top of the previous one', async () => {
    const fixture = remoteFixture();
    const host = workerHost('host-a');
    await writeRunSummary(summaryInput(fixture), { host });
    const first = remoteRef(fixture, SUMMARY_REF) ?? '';

    await writeRunSummary({ ...summaryInput(fixture), retryOf: 'fanout-earlier' }, { host });

    const second = remoteRef(fixture, SUMMARY_REF) ?? '';
    expect(gitIn(fixture.remote, 'rev-parse', `${second}^`)).toBe(first);
    expect(remoteFile(fixture, second, '.agent/DEVELOPMENT_RESULT.md')).toContain(
      '- retry_of: fanout-earlier',
    );
  });

  it('fails as a retryable RemoteUnreachable when the remote cannot be reached', async () => {
    const fixture = remoteFixture();

    const error = await writeRunSummary(summaryInput(fixture, fixture.scratch), {
      host: workerHost('h'),
    }).catch((e: unknown) => e);

    expect(error).toMatchObject({ type: 'RemoteUnreachable', nonRetryable: false });
  });
});
