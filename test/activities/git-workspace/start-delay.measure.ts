/**
 * Measures, not asserts: a git attempt's cost beside a shared one's on a repository of FILES files
 * (default 10,000): activity called → the agent's first instruction (starting point, working tree,
 * namespace), and the agent's last instruction → the activity's answer (commit, enforcement,
 * evidence copy, ref, tree released), p50 and p95 over TRIALS attempts of each, interleaved. The
 * first git attempt adds a tree; later ones re-point a pooled one. Not part of `npm test`; run
 *
 *   npx jest --testMatch '**' + '/test/activities/git-workspace/*.measure.ts'
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AttemptSuccess } from '../../../src/activities/types';
import { write } from '../../git/git-repo';
import { AttemptRun, attemptInput, measured, reapGroups, settings, unit } from '../helpers';
import { gitFixture, gitIn, gitInput, removeGitFixtures } from './git-fixture';

const TRIALS = Number(process.env.FANOUT_MEASURE_TRIALS ?? 15);
const FILES = Number(process.env.FANOUT_MEASURE_FILES ?? 10_000);

afterEach(reapGroups);
afterAll(removeGitFixtures);

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
  const command = settings(['/bin/bash', '-c', SCRIPT]);
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const id = `u${trial}`;
    const gitRun = await timed(
      () => new AttemptRun(deps).run(gitInput(large, unit(id), command)),
      () => join(fixture.source, '.agent/runs/fanout-test-run', id, 'artifacts'),
    );
    const sharedRun = await timed(
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
  report('git: activity called to agent start', results.git.start);
  report('shared: activity called to agent start', results.shared.start);
  report('git: agent end to activity answer', results.git.end);
  report('shared: agent end to activity answer', results.shared.end);
  expect(results.git.start).toHaveLength(TRIALS);
}, 900_000);
