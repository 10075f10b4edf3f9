/**
 * Measures, not asserts: preparing an attempt's working tree (SPEC §9) in repositories of 10,000
 * and 100,000 small files, fresh (`git worktree add`) against reused (a released tree from the
 * pool, re-pointed with `checkout -f` + `clean -ffdx`), and the disk one tree takes. Prints p50/p95.
 * Not part of `npm test`; run it with
 *
 *   FANOUT_TEST_NO_SERVER=1 npx jest --testMatch '**' + '/test/git/worktree.measure.ts'
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { distribution } from '../../src/bench/stats';
import { attemptWorktreePath } from '../../src/git/worktree-paths';
import { prepareWorktree, removeWorktree } from '../../src/git/worktrees';

const FRESH_TRIALS = Number(process.env.FANOUT_MEASURE_FRESH ?? 8);
const REUSE_TRIALS = Number(process.env.FANOUT_MEASURE_TRIALS ?? 20);
const PER_DIR = 100;

/** A repository of `count` files of ~100 bytes (fast-import, no work tree) and a commit changing 10. */
function makeBigRepo(count: number): { repo: string; base: string; next: string } {
  const repo = realpathSync(mkdtempSync('/var/tmp/fanout-measure-repo-'));
  execFileSync('git', ['init', '-q', '-b', 'main', repo]);
  const lines: string[] = [];
  const commit = (message: string, files: [string, string][], from?: string): void => {
    lines.push('commit refs/heads/main', 'committer T <t@example.com> 1700000000 +0000');
    lines.push(`data ${Buffer.byteLength(message)}`, message);
    if (from !== undefined) lines.push(`from ${from}`);
    for (const [file, content] of files)
      lines.push(`M 100644 inline ${file}`, `data ${Buffer.byteLength(content)}`, content);
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
  execFileSync('git', ['fast-import', '--quiet'], {
    cwd: repo,
    input: `${lines.join('\n')}\n`,
    maxBuffer: 1 << 30,
  });
  const next = execFileSync('git', ['rev-parse', 'main'], { cwd: repo, encoding: 'utf8' }).trim();
  const base = execFileSync('git', ['rev-parse', 'main~1'], { cwd: repo, encoding: 'utf8' }).trim();
  return { repo, base, next };
}

function diskKb(folder: string): number {
  return Number(execFileSync('du', ['-sk', folder], { encoding: 'utf8' }).split('\t')[0]);
}

async function measure(count: number): Promise<void> {
  const { repo, base, next } = makeBigRepo(count);
  const root = realpathSync(mkdtempSync('/var/tmp/fanout-measure-trees-'));
  process.env.FANOUT_WORKTREES = root;
  try {
    const prepare = async (trial: number, pool: string): Promise<number> => {
      process.env.FANOUT_WORKTREE_POOL = pool;
      const tree = attemptWorktreePath(root, repo, `run-${trial}`, 'u', 1);
      const started = performance.now();
      await prepareWorktree(repo, trial % 2 === 0 ? base : next, tree);
      const took = performance.now() - started;
      // The agent's leftovers the next use must not see.
      writeFileSync(path.join(tree, 'd0', `stray-${trial}.txt`), 'stray');
      writeFileSync(path.join(tree, 'd1', 'f1.txt'), 'edited');
      if (trial === 0) {
        const admin = path.join(repo, '.git', 'worktrees');
        process.stdout.write(`  disk: tree ${diskKb(tree)} KiB + git admin (index) ${diskKb(admin)} KiB\n`);
      }
      await removeWorktree(repo, tree);
      return took;
    };
    const fresh: number[] = [];
    for (let trial = 0; trial < FRESH_TRIALS; trial += 1) fresh.push(await prepare(trial, '0'));
    await prepare(FRESH_TRIALS, '4'); // the first reuse needs a parked tree
    const reused: number[] = [];
    for (let trial = 1; trial <= REUSE_TRIALS; trial += 1)
      reused.push(await prepare(FRESH_TRIALS + trial, '4'));
    process.stdout.write(
      `MEASURE prepareWorktree, ${count} files\n` +
        `  fresh:  ${JSON.stringify(distribution(fresh))} ms\n` +
        `  reused: ${JSON.stringify(distribution(reused))} ms\n`,
    );
  } finally {
    rmSync(repo, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  }
}

describe('working tree preparation cost (SPEC §9)', () => {
  it('10,000 files', () => measure(10_000), 1_200_000);
  it('100,000 files', () => measure(100_000), 1_200_000);
});
