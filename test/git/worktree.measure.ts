/**
 * Measures, not asserts: preparing an attempt's working tree (SPEC §9) in repositories of 10,000
 * and 100,000 small files, fresh (`git worktree add`) against reused (a released tree from the
 * pool, re-pointed with `checkout -f` + `clean -ffdx`); releasing it (deleted vs parked); the
 * output commit of 10 changed files in it; and the disk one tree takes. Prints p50/p95.
 * Not part of `npm test`; run it with
 *
 *   FANOUT_TEST_NO_SERVER=1 npx jest --testMatch '**' + '/test/git/worktree.measure.ts'
 *
 * FANOUT_MEASURE_FRESH / FANOUT_MEASURE_TRIALS set the trial counts (fresh trees are slow).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { distribution } from '../../src/bench/stats';
import { commitOutput } from '../../src/git/commit-output';
import { attemptWorktreePath } from '../../src/git/worktree-paths';
import { prepareWorktree, removeWorktree } from '../../src/git/worktrees';
import { IDENTITY } from './git-repo';

const FRESH_TRIALS = Number(process.env.FANOUT_MEASURE_FRESH ?? 4);
const REUSE_TRIALS = Number(process.env.FANOUT_MEASURE_TRIALS ?? 20);
const PER_DIR = 100;

/** `count` files of ~100 bytes (fast-import, no work tree), then a commit changing 10 of them. */
function fillRepo(repo: string, count: number): { base: string; next: string } {
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  const lines: string[] = [];
  const commit = (message: string, files: [string, string][]): void => {
    lines.push('commit refs/heads/main', 'committer T <t@example.com> 1700000000 +0000');
    lines.push(`data ${Buffer.byteLength(message)}`, message);
    for (const [file, content] of files) {
      lines.push(`M 100644 inline ${file}`, `data ${Buffer.byteLength(content)}`, content);
    }
  };
  const all: [string, string][] = [];
  for (let index = 0; index < count; index += 1) {
    all.push([`d${Math.floor(index / PER_DIR)}/f${index % PER_DIR}.txt`, `file ${index} `.padEnd(100, 'x')]);
  }
  commit('base', all);
  commit(
    'next',
    all.slice(0, 10).map(([file]) => [file, 'changed'] as [string, string]),
  );
  const input = `${lines.join('\n')}\n`;
  execFileSync('git', ['fast-import', '--quiet'], { cwd: repo, input, maxBuffer: 1 << 30 });
  const rev = (name: string): string =>
    execFileSync('git', ['rev-parse', name], { cwd: repo, encoding: 'utf8' }).trim();
  return { base: rev('main~1'), next: rev('main') };
}

function diskKb(folder: string): number {
  return Number(execFileSync('du', ['-sk', folder], { encoding: 'utf8' }).split('\t')[0]);
}

interface Timings {
  prepare: number[];
  release: number[];
  commit: number[];
}

async function measure(count: number): Promise<void> {
  const repo = realpathSync(mkdtempSync('/var/tmp/fanout-measure-repo-'));
  const root = realpathSync(mkdtempSync('/var/tmp/fanout-measure-trees-'));
  try {
    const { base, next } = fillRepo(repo, count);
    const trial = async (run: number, pool: string, into: Timings): Promise<void> => {
      process.env.FANOUT_WORKTREE_POOL = pool;
      const tree = attemptWorktreePath(root, repo, `run-${run}`, 'u', 1);
      const start = run % 2 === 0 ? base : next;
      let started = performance.now();
      await prepareWorktree(repo, start, tree);
      into.prepare.push(performance.now() - started);
      // The agent's work: 10 files, which the next use of the tree must not see.
      for (let index = 0; index < 10; index += 1)
        writeFileSync(path.join(tree, `d${index}`, `new-${run}.txt`), 'n');
      started = performance.now();
      await commitOutput(tree, start, { message: 'u: work', excluded: ['.agent/workers'] }, IDENTITY);
      into.commit.push(performance.now() - started);
      if (run === 0) {
        const admin = path.join(repo, '.git', 'worktrees');
        process.stdout.write(
          `  ${count} files — disk: tree ${diskKb(tree)} KiB + git admin ${diskKb(admin)} KiB\n`,
        );
      }
      started = performance.now();
      await removeWorktree(repo, tree);
      into.release.push(performance.now() - started);
      process.stdout.write(
        `  trial ${run} (pool ${pool}): prepare ${Math.round(into.prepare.at(-1) ?? 0)} ms\n`,
      );
    };
    const fresh: Timings = { prepare: [], release: [], commit: [] };
    for (let run = 0; run < FRESH_TRIALS; run += 1) await trial(run, '0', fresh);
    const reused: Timings = { prepare: [], release: [], commit: [] };
    await trial(FRESH_TRIALS, '4', { prepare: [], release: [], commit: [] }); // parks the first tree
    for (let run = 1; run <= REUSE_TRIALS; run += 1) await trial(FRESH_TRIALS + run, '4', reused);
    const line = (name: string, values: number[]): string =>
      `  ${name} ${JSON.stringify(distribution(values))} ms\n`;
    process.stdout.write(
      `MEASURE working trees, ${count} files (${FRESH_TRIALS} fresh, ${REUSE_TRIALS} reused)\n` +
        line('prepare fresh: ', fresh.prepare) +
        line('prepare reused:', reused.prepare) +
        line('release delete:', fresh.release) +
        line('release park:  ', reused.release) +
        line('commit 10 new: ', [...fresh.commit, ...reused.commit]),
    );
  } finally {
    rmSync(repo, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
}

const sizes = (process.env.FANOUT_MEASURE_SIZES ?? '10000,100000').split(',').map(Number);

describe('working tree cost (SPEC §9)', () => {
  for (const size of sizes) it(`${size} files`, () => measure(size), 3_600_000);
});
