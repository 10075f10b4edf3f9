/**
 * Measures, not asserts: the cost of SPEC §8.2 for a unit whose allowed directory holds 10,000
 * files of which 10 change, in a repo of 100,000 files: the snapshot before the agent and the
 * comparison after it (walk, diff, hash of the 10), under `landlock` (the unit's area only) and
 * `audit` (the whole repo). Prints p50/p95 per phase. Not part of `npm test`; run it with
 *
 *   FANOUT_TEST_NO_SERVER=1 npx jest --testMatch '**' + '/test/activities/containment/*.measure.ts'
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ChangeBaseline, type ChangeWatch } from '../../../src/activities/containment/changes';
import { distribution } from '../../../src/bench/stats';

const TRIALS = Number(process.env.FANOUT_MEASURE_TRIALS ?? 30);
const AREA_FILES = 10_000;
const REPO_FILES = 100_000;
const PER_DIR = 100;

const repo = realpathSync(mkdtempSync(join(tmpdir(), 'fanout-measure-changes-')));
afterAll(() => rmSync(repo, { recursive: true, force: true }));

/** `count` files of 100 bytes in folders of 100 under `root`. */
function fill(root: string, count: number): void {
  for (let index = 0; index < count; index += 1) {
    const dir = join(repo, root, `d${Math.floor(index / PER_DIR)}`);
    if (index % PER_DIR === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `f${index % PER_DIR}.txt`), 'x'.repeat(100));
  }
}

const watch: ChangeWatch = {
  repo,
  namespaceRoot: '.agent/workers',
  allowedDirectories: ['src/a'],
  writable: [],
  allAreas: ['src/a', 'src/rest'],
};

/** 10 changes in the unit's area: 4 added, 4 modified, 2 deleted; new names every trial. */
function agentWork(trial: number): void {
  for (let index = 0; index < 4; index += 1) {
    writeFileSync(join(repo, 'src/a/d0', `new-${trial}-${index}.txt`), `added ${trial}`);
    writeFileSync(join(repo, `src/a/d${index + 1}`, `f${trial % PER_DIR}.txt`), `modified ${trial}`);
  }
  for (let index = 0; index < 2; index += 1) unlinkSync(join(repo, `src/a/d${index + 5}`, `f${trial}.txt`));
}

let trialsSoFar = 0;

async function measure(mode: 'landlock' | 'audit', trials: number): Promise<void> {
  const before: number[] = [];
  const after: number[] = [];
  for (let run = 0; run < trials; run += 1) {
    const trial = trialsSoFar++;
    let started = performance.now();
    const baseline = await ChangeBaseline.take(mode, watch);
    before.push(performance.now() - started);
    agentWork(trial);
    started = performance.now();
    const { changes } = await (baseline as ChangeBaseline).changes();
    after.push(performance.now() - started);
    expect(changes).toHaveLength(10);
  }
  process.stdout.write(
    `MEASURE ${mode} (${AREA_FILES} files in the area, ${REPO_FILES} in the repo, 10 changed, ${trials} trials)\n` +
      `  snapshot before the agent: ${JSON.stringify(distribution(before))} ms\n` +
      `  changes after it:          ${JSON.stringify(distribution(after))} ms\n`,
  );
}

describe('changes cost (SPEC §8.2)', () => {
  beforeAll(() => {
    fill('src/a', AREA_FILES);
    fill('src/rest', REPO_FILES - AREA_FILES);
  }, 600_000);

  it('landlock: the unit area only', () => measure('landlock', TRIALS), 600_000);
  it('audit: the whole repo', () => measure('audit', Math.max(3, Math.floor(TRIALS / 5))), 600_000);
});
