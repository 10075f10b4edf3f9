/**
 * Measures, not asserts: a git attempt's cost beside a shared one's on a repository of FILES files
 * (default 10,000): activity called → the agent's first instruction (starting point, working tree,
 * namespace), and the agent's last instruction → the activity's answer (commit, enforcement,
 * evidence copy, ref, tree released), p50 and p95 over TRIALS attempts of each, interleaved. The
 * first git attempt adds a tree; later ones re-point a pooled one. Not part of `npm test`; run
 *
 *   npx jest --testMatch '**' + '/test/activities/git-workspace/*.measure.ts'
 */
import { join } from 'node:path';
import { write } from '../../git/git-repo';
import { reportTiming, STAMPING_SCRIPT, timedAttempt } from './attempt-timing';
import { AttemptRun, attemptInput, reapGroups, settings, unit } from '../helpers';
import { gitFixture, gitIn, gitInput, removeGitFixtures } from './git-fixture';

const TRIALS = Number(process.env.FANOUT_MEASURE_TRIALS ?? 15);
const FILES = Number(process.env.FANOUT_MEASURE_FILES ?? 10_000);

afterEach(reapGroups);
afterAll(removeGitFixtures);

it('measures a git attempt beside a shared one', async () => {
  const fixture = gitFixture();
  const files: Record<string, string> = {};
  for (let i = 0; i < FILES; i += 1) files[`lib/d${i % 100}/f${i}.txt`] = `file ${i}\n`;
  write(fixture.source, files);
  gitIn(fixture.source, 'add', '.');
  gitIn(fixture.source, 'commit', '-q', '-m', 'many files');
  const large = { ...fixture, base: gitIn(fixture.source, 'rev-parse', 'HEAD') };
  const results = {
    git: { start: [] as number[], end: [] as number[] },
    shared: { start: [] as number[], end: [] as number[] },
  };
  const deps = { env: fixture.env, timing: { pollMs: 50, heartbeatMs: 1000 } };
  const command = settings(['/bin/bash', '-c', STAMPING_SCRIPT]);
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const id = `u${trial}`;
    const gitRun = await timedAttempt(
      () => new AttemptRun(deps).run(gitInput(large, unit(id), command)),
      () => join(fixture.source, '.agent/runs/fanout-test-run', id, 'artifacts'),
    );
    const sharedRun = await timedAttempt(
      () => new AttemptRun(deps).run(attemptInput(fixture.source, unit(`s${trial}`), command)),
      () => join(fixture.source, '.agent/workers', `s${trial}`, 'artifacts'),
    );
    for (const [mode, value] of [
      ['git', gitRun],
      ['shared', sharedRun],
    ] as const) {
      results[mode].start.push(value.start);
      results[mode].end.push(value.end);
    }
  }
  reportTiming('git: activity called to agent start', FILES, results.git.start);
  reportTiming('shared: activity called to agent start', FILES, results.shared.start);
  reportTiming('git: agent end to activity answer', FILES, results.git.end);
  reportTiming('shared: agent end to activity answer', FILES, results.shared.end);
  expect(results.git.start).toHaveLength(TRIALS);
}, 900_000);
