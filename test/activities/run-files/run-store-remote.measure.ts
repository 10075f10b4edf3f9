/**
 * Measures, not asserts: what the remote run store (SPEC §10) costs beside the host's disk, with a
 * bare repository on the same disk as the remote: storing a segment of about 256 KB (the size the
 * workflow cuts them at), and reading one back verified on another host (ls-remote, fetch by SHA,
 * cat-file). p50 and p95 over TRIALS of each. Not part of `npm test`; run
 *
 *   npx jest --testMatch '**' + '/test/activities/run-files/run-store-remote.measure.ts'
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { readVerified, storeRunSegment } from '../../../src/activities/run-files/run-store';
import type { UnitResult } from '../../../src/plan/types';
import { IDENTITY } from '../../git/git-repo';
import { removeGitFixtures } from '../git-workspace/git-fixture';
import { remoteFixture, removeRemoteFixtures, workerHost } from '../git-workspace/remote-fixture';

const TRIALS = Number(process.env.FANOUT_MEASURE_TRIALS ?? 20);

const repo = realpathSync(mkdtempSync(path.join(tmpdir(), 'fanout-store-measure-')));
afterAll(() => {
  rmSync(repo, { recursive: true, force: true });
  removeGitFixtures();
  removeRemoteFixtures();
});

/** About 256 KB of unit results. */
function units(): Record<string, UnitResult> {
  const result: Record<string, UnitResult> = {};
  for (let i = 0; i < 1000; i += 1) {
    result[`unit-${String(i).padStart(5, '0')}`] = {
      status: 'SUCCEEDED',
      exit_code: 0,
      error: null,
      attempts: 1,
      started_at: '2026-01-01T00:00:00.000Z',
      finished_at: '2026-01-01T00:00:01.000Z',
      artifacts: [{ name: 'report.md', size: 120, sha256: 'a'.repeat(64) }],
    };
  }
  return result;
}

function summary(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number): string =>
    (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN).toFixed(1);
  return `${label}: p50 ${at(50)} ms, p95 ${at(95)} ms (${samples.length} trials)`;
}

async function timed(step: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await step();
  return performance.now() - started;
}

it('measures storing and reading a segment on the remote beside the host disk', async () => {
  const fixture = remoteFixture();
  const [writer, reader] = [workerHost('measure-w'), workerHost('measure-r')];
  const location = { repo, workflowId: 'fanout-measure', firstRunId: 'first' };
  const remote = { ...location, remote: { url: fixture.remote, identity: IDENTITY } };
  const content = units();
  const disk: number[] = [];
  const pushed: number[] = [];
  const read: number[] = [];
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const name = `segment-0001-${String(trial).padStart(4, '0')}`;
    disk.push(await timed(() => storeRunSegment({ ...location, name, events: [], units: content })));
    let ref = { path: '', sha256: '' };
    pushed.push(
      await timed(async () => {
        ref = await storeRunSegment({ ...remote, name, events: [], units: content }, { host: writer });
      }),
    );
    read.push(
      await timed(() => readVerified(ref.path, ref.sha256, { url: fixture.remote, deps: { host: reader } })),
    );
  }
  process.stdout.write(
    [
      summary('segment on the host disk', disk),
      summary('segment pushed to the remote', pushed),
      summary('segment read from the remote on another host', read),
    ].join('\n') + '\n',
  );
  expect(pushed).toHaveLength(TRIALS);
}, 300_000);
