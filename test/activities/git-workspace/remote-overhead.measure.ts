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
import { join } from 'node:path';
import { write } from '../../git/git-repo';
import { reportTiming, STAMPING_SCRIPT, timedAttempt } from './attempt-timing';
import { AttemptRun, reapGroups, settings, unit } from '../helpers';
import { gitIn, gitInput, removeGitFixtures } from './git-fixture';
import { remoteFixture, remoteInput, removeRemoteFixtures, workerHost } from './remote-fixture';

const TRIALS = Number(process.env.FANOUT_MEASURE_TRIALS ?? 15);
const FILES = Number(process.env.FANOUT_MEASURE_FILES ?? 2_000);

afterEach(reapGroups);
afterAll(() => {
  removeGitFixtures();
  removeRemoteFixtures();
});

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
  const command = settings(['/bin/bash', '-c', STAMPING_SCRIPT]);
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const remoteRun = await timedAttempt(
      () => new AttemptRun({ ...deps, host }).run(remoteInput(large, unit(`r${trial}`), command)),
      (success) => join(success.logPath, '../../artifacts'),
    );
    const localRun = await timedAttempt(
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
  reportTiming('remote: activity called to agent start', FILES, results.remote.start);
  reportTiming('single-host git: activity called to agent start', FILES, results.local.start);
  reportTiming('remote: agent end to activity answer', FILES, results.remote.end);
  reportTiming('single-host git: agent end to activity answer', FILES, results.local.end);
  expect(results.remote.start).toHaveLength(TRIALS);
}, 900_000);
