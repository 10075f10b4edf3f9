/**
 * `run --prefetch <n>` through the real CLI: a bad value or a git-workspace run is refused with a
 * usage error (exit 2) before anything starts; a good one runs the plan with units waiting on the
 * worker for their slots.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FanoutResult } from '../../../src/plan/types';
import { readRunInput } from '../../../src/client/run/run-input';
import { testServer, useFanoutWorker } from '../../helpers/fanout-worker';
import { FAKE_AGENT, runCli } from '../../helpers/scenario-runner';
import { requireBuiltCli } from '../helpers/built-cli';

const fixture = useFanoutWorker('prefetch-option');
const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-prefetch-option-')));
beforeAll(() => requireBuiltCli());

const connection = (): string[] => [
  '--address',
  testServer().address,
  '--namespace',
  testServer().namespace,
  '--task-queue',
  fixture.taskQueue,
];

function planIn(directory: string, units: number): string {
  const plan = {
    name: 'prefetch-option',
    max_workers: 2,
    confinement: 'off',
    work_units: Array.from({ length: units }, (_, i) => ({
      unit_id: `u${i}`,
      description: `unit ${i}`,
      allowed_directories: [`src/u${i}`],
      command: [FAKE_AGENT, '--count', 'counts.txt', '--sleep-ms', '200', '--artifact', 'out.md'],
    })),
  };
  const file = path.join(directory, 'plan.json');
  writeFileSync(file, JSON.stringify(plan));
  return file;
}

function freshRepo(): { dir: string; repo: string } {
  const dir = mkdtempSync(path.join(base, 'run-'));
  const repo = path.join(dir, 'repo');
  mkdirSync(repo);
  return { dir, repo };
}

describe('run --prefetch', () => {
  it('refuses a value that is not a whole number, naming the flag, and starts nothing', async () => {
    const { dir, repo } = freshRepo();
    const run = await runCli(
      ['run', planIn(dir, 3), '--repo', repo, '--prefetch', 'many', ...connection()],
      60_000,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--prefetch must be an integer from 0 to');
    expect(run.stderr).toContain("(got 'many')");
    expect(existsSync(path.join(repo, 'counts.txt'))).toBe(false);
  }, 90_000);

  it('refuses it for a git-workspace run', async () => {
    const { dir, repo } = freshRepo();
    const args = [
      'run',
      planIn(dir, 3),
      '--repo',
      repo,
      '--prefetch',
      '2',
      '--workspace',
      'git',
      ...connection(),
    ];
    const run = await runCli(args, 60_000);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--prefetch applies to runs in the shared checkout only');
  }, 90_000);

  it('runs the plan, every agent once', async () => {
    const { dir, repo } = freshRepo();
    const args = ['run', planIn(dir, 8), '--repo', repo, '--prefetch', '2', '--json', ...connection()];
    const run = await runCli(args, 120_000);
    expect(run.stderr).not.toContain('Error');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as FanoutResult;
    expect(result.status).toBe('succeeded');
    const lines = readFileSync(path.join(repo, 'counts.txt'), 'utf8').trim().split('\n').sort();
    expect(lines).toEqual(Array.from({ length: 8 }, (_, i) => `u${i} attempt=1`).sort());
  }, 150_000);

  it('holds for a retry of the run, as max_workers does', async () => {
    const { dir, repo } = freshRepo();
    const id = `prefetch-option-${Date.now().toString(36)}`;
    const plan = planIn(dir, 3);
    const failing = JSON.parse(readFileSync(plan, 'utf8')) as { work_units: { command: string[] }[] };
    (failing.work_units[1] as { command: string[] }).command = [FAKE_AGENT, '--exit', '1'];
    writeFileSync(plan, JSON.stringify(failing));
    const first = await runCli(
      ['run', plan, '--repo', repo, '--prefetch', '2', '--id', id, '--json', ...connection()],
      120_000,
    );
    expect(first.code).toBe(1);
    const retry = await runCli(['retry', id, '--new-id', `${id}-again`, '--json', ...connection()], 120_000);
    expect(retry.code).toBe(1);
    expect((await readRunInput(fixture.client(), `${id}-again`)).prefetch).toBe(2);
  }, 300_000);

  it('prefetches by default, at most max_workers units, and --prefetch 0 turns it off for the run and its retry', async () => {
    const { dir, repo } = freshRepo();
    const id = `prefetch-default-${Date.now().toString(36)}`;
    const plan = planIn(dir, 3);
    const byDefault = await runCli(
      ['run', plan, '--repo', repo, '--id', id, '--json', ...connection()],
      120_000,
    );
    expect(byDefault.code).toBe(0);
    // The plan's max_workers is 2, below the default of 16.
    expect((await readRunInput(fixture.client(), id)).prefetch).toBe(2);

    const off = `${id}-off`;
    const failing = JSON.parse(readFileSync(plan, 'utf8')) as { work_units: { command: string[] }[] };
    (failing.work_units[1] as { command: string[] }).command = [FAKE_AGENT, '--exit', '1'];
    writeFileSync(plan, JSON.stringify(failing));
    const first = await runCli(
      ['run', plan, '--repo', freshRepo().repo, '--prefetch', '0', '--id', off, '--json', ...connection()],
      120_000,
    );
    expect(first.code).toBe(1);
    expect((await readRunInput(fixture.client(), off)).prefetch).toBe(0);
    const retry = await runCli(
      ['retry', off, '--new-id', `${off}-again`, '--json', ...connection()],
      120_000,
    );
    expect(retry.code).toBe(1);
    expect((await readRunInput(fixture.client(), `${off}-again`)).prefetch).toBe(0);
  }, 300_000);
});
