/**
 * What the git attempt measurements (*.measure.ts, not part of `npm test`) share: an agent that
 * stamps its first and last instruction, the time from the activity's call to the first and from
 * the last to its answer, and a p50/p95 line per figure.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AttemptSuccess } from '../../../src/activities/types';
import { measured } from '../helpers';

/** The agent: stamps `started`, writes one file in its own area, stamps `ended`. */
export const STAMPING_SCRIPT =
  'echo "$EPOCHREALTIME" > "$FANOUT_ARTIFACT_DIR/started"; mkdir -p "src/$FANOUT_UNIT_ID"; ' +
  'echo x > "src/$FANOUT_UNIT_ID/f.txt"; echo "$EPOCHREALTIME" > "$FANOUT_ARTIFACT_DIR/ended"';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function stamp(file: string): Promise<number> {
  return Number((await readFile(file, 'utf8')).trim().replace(',', '.')) * 1000;
}

/** Activity called → agent's first instruction (`start`), agent's last instruction → answer (`end`), ms. */
export async function timedAttempt(
  run: () => Promise<AttemptSuccess>,
  artifacts: (s: AttemptSuccess) => string,
): Promise<{ start: number; end: number }> {
  const calledAt = performance.timeOrigin + performance.now();
  const success = await run();
  const answeredAt = performance.timeOrigin + performance.now();
  const dir = artifacts(success);
  return {
    start: (await stamp(join(dir, 'started'))) - calledAt,
    end: answeredAt - (await stamp(join(dir, 'ended'))),
  };
}

/** Prints `MEASURE <label> (<files> files, n attempts): p50 …, p95 …` and records the p50. */
export function reportTiming(label: string, files: number, values: number[]): void {
  const sorted = [...values].sort((a, b) => a - b);
  const line = `p50 ${percentile(sorted, 50).toFixed(0)} ms, p95 ${percentile(sorted, 95).toFixed(0)} ms`;
  process.stdout.write(`MEASURE ${label} (${files} files, ${values.length} attempts): ${line}\n`);
  measured(`${label} p50`, percentile(sorted, 50), 'ms');
}
