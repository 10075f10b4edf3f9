/**
 * Measures, not asserts: what a remote run (SPEC §10) adds to a git attempt, on a repository of
 * FILES files (default 2,000) with a bare repository on the same disk as the remote: activity
 * called → the agent's first instruction (clone made, ls-remote, base fetched by SHA, tree), and the
 * agent's last instruction → the activity's answer (commit, evidence commit and push, unit ref
 * push), p50 and p95 over TRIALS attempts of each, interleaved with single-host git attempts. The
 * first remote attempt fetches the whole base into the worker's new clone. Not part of `npm test`; run
 *
 *   npx jest --testMatch '**' + '/test/activities/git-workspace/remote-overhead.measure.ts'
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AttemptSuccess } from '../../../src/activities/types';
import { write } from '../../git/git-repo';
import { AttemptRun, measured, reapGroups, settings, unit } from '../helpers';
import { gitIn, gitInput, removeGitFixtures } from './git-fixture';
import { remoteFixture, remoteInput, removeRemoteFixtures, workerHost } from './remote-fixture';

const TRIALS = Number(process.env.FANOUT_MEASURE_TRIALS ?? 15);
const FILES = Number(process.env.FANOUT_MEASURE_FILES ?? 2_000);

afterEach(reapGroups);
afterAll(() => {
  removeGitFixtures();
  removeRemoteFixtures();
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const SCRIPT =
  'echo "$EPOCHREALTIME" > "$FANOUT_ARTIFACT_DIR/started"; mkdir -p "src/$FANOUT_UNIT_ID"; ' +
  'echo x > "src/$FANOUT_UNIT_ID/f.txt"; echo "$EPOCHREALTIME" > "$FANOUT_ARTIFACT_DIR/ended"';

async function stamp(file: string): Promise<number> {
  return Number((await readFile(file, 'utf8')).trim().replace(',', '.')) * 1000;
}

async function timed(run: () => Promise<AttemptSuccess>, artifacts: (s: AttemptSuccess) => string) {
  const calledAt = performance.timeOrigin + performance.now();
  const success = await run();
  const answeredAt = performance.timeOrigin + performance.now();
  const dir = artifacts(success);
  return {
    start: (await stamp(join(dir, 'started'))) - calledAt,
    end: answeredAt - (await stamp(join(dir, 'ended'))),
  };
}

function report(label: string, values: number[]): void {
  const sorted = [...values].sort((a, b) => a - b);
  const line = `p50 ${percentile(sorted, 50).toFixed(0)} ms, p95 ${percentile(sorted, 95).toFixed(0)} ms`;
  process.stdout.write(`MEASURE ${label} (${FILES} files, ${values.length} attempts): ${line}\n`);
  measured(`${label} p50`, percentile(sorted, 50), 'ms');
}

it('measures a remote git attempt beside a single-host one', async () => {
  const fixture = remoteFixture();
  const files: Record<string, string> = {};
  for (let i = 0; i < FILES; i += 1) files[`lib/d${i % 100}/f${i}.txt`] = `file ${i}\n`;
  write(fixture.source, files);
  gitIn(fixture.source, 'add', '.');
  gitIn(fixture.source, 'commit', '-q', '-m', 'many files');
  const base = gitIn(fixture.source, 'rev-parse', 'HEAD');
  gitIn(fixture.source, 'push', '-q', fixture.remote, `${base}:refs/heads/main`);
  const large = { ...fixture, base };
  const host = workerHost('measure');
  const results = {
    remote: { start: [] as number[], end: [] as number[] },
    local: { start: [] as number[], end: [] as number[] },
  };
  const deps = { env: fixture.env, timing: { pollMs: 50, heartbeatMs: 1000 } };
  const command = settings(['/bin/bash', '-c', SCRIPT]);
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const remoteRun = await timed(
      () => new AttemptRun({ ...deps, host }).run(remoteInput(large, unit(`r${trial}`), command)),
      (success) => join(success.logPath, '../../artifacts'),
    );
    const localRun = await timed(
      () => new AttemptRun(deps).run(gitInput(large, unit(`l${trial}`), command)),
      () => join(fixture.source, '.agent/runs/fanout-test-run', `l${trial}`, 'artifacts'),
    );
    for (const [mode, value] of [
      ['remote', remoteRun],
      ['local', localRun],
    ] as const) {
      results[mode].start.push(value.start);
      results[mode].end.push(value.end);
    }
  }
  report('remote: activity called to agent start', results.remote.start);
  report('single-host git: activity called to agent start', results.local.start);
  report('remote: agent end to activity answer', results.remote.end);
  report('single-host git: agent end to activity answer', results.local.end);
  expect(results.remote.start).toHaveLength(TRIALS);
}, 900_000);
