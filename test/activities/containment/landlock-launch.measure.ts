/**
 * Measures, not asserts: the time from an attempt's start (the activity called) to its agent's
 * first instruction, under `confinement: off` and `landlock`, interleaved, over TRIALS launches
 * each; prints p50 and p95 of both and of the difference. The agent is `bash -c` printing
 * $EPOCHREALTIME, so its own start-up is the same in both modes. Not part of `npm test`; run it with
 *
 *   npx jest --testMatch '**' + '/test/activities/containment/*.measure.ts'
 */
import { readFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ConfinementMode } from '../../../src/plan/types';
import { attemptInput, makeRepo, reapGroups, removeRepos, runAttempt, settings, unit } from '../helpers';

const TRIALS = Number(process.env.FANOUT_MEASURE_TRIALS ?? 60);

afterEach(reapGroups);
afterAll(removeRepos);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function startDelayMs(mode: ConfinementMode): Promise<number> {
  const repo = await makeRepo();
  const command = ['/bin/bash', '-c', 'echo "$EPOCHREALTIME" > "$FANOUT_ARTIFACT_DIR/started"'];
  const calledAt = Date.now() + (performance.now() % 1); // ms with a fraction, like EPOCHREALTIME
  const success = await runAttempt(attemptInput(repo, unit('m'), settings(command, { confinement: mode })));
  const started = Number((await readFile(join(repo, '.agent/workers/m/artifacts/started'), 'utf8')).trim());
  if (success.containment?.confinement !== mode)
    throw new Error(`ran under ${success.containment?.confinement}`);
  return started * 1000 - calledAt;
}

describe('launch latency under confinement', () => {
  it(`from attempt start to agent start, off vs landlock, ${TRIALS} launches each`, async () => {
    const samples: Record<'off' | 'landlock', number[]> = { off: [], landlock: [] };
    await startDelayMs('off'); // warm-up: the perl probe, the launcher
    await startDelayMs('landlock');
    for (let i = 0; i < TRIALS; i++) {
      samples.off.push(await startDelayMs('off'));
      samples.landlock.push(await startDelayMs('landlock'));
    }
    const repoParent = dirname(await makeRepo());
    const lines = [`entries beside the repos (in ${repoParent}): ${(await readdir(repoParent)).length}`];
    for (const mode of ['off', 'landlock'] as const) {
      const sorted = [...samples[mode]].sort((a, b) => a - b);
      lines.push(
        `${mode}: p50 ${percentile(sorted, 50).toFixed(1)} ms, p95 ${percentile(sorted, 95).toFixed(1)} ms`,
      );
    }
    const extra = samples.landlock.map((ms, i) => ms - (samples.off[i] ?? 0)).sort((a, b) => a - b);
    lines.push(
      `landlock - off (paired): p50 ${percentile(extra, 50).toFixed(1)} ms, p95 ${percentile(extra, 95).toFixed(1)} ms`,
    );
    process.stdout.write(`MEASURE ${lines.join('\nMEASURE ')}\n`);
    expect(samples.landlock).toHaveLength(TRIALS);
  }, 600_000);
});
