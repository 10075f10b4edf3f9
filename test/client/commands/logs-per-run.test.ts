/**
 * `agent-fanout logs` prints a run's own bytes of each attempt log (SPEC §8.7), also after a later
 * run of the same unit on the same checkout appended to the same files. Real CLI subprocesses
 * against the shared test server, the fake agent behind a shell line that names its run.
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { awaitResult, startRun } from '../../../src/client/fanout-client';
import { loadPlanFile } from '../../../src/client/plan-input/load-plan';
import type { Plan } from '../../../src/plan/types';
import { testServer, useFanoutWorker } from '../../helpers/fanout-worker';
import { FAKE_AGENT, runCli } from '../../helpers/scenario-runner';
import { requireBuiltCli } from '../helpers/built-cli';

const fixture = useFanoutWorker('logs-per-run');
beforeAll(() => requireBuiltCli());

const connection = (): string[] => ['--address', testServer().address, '--namespace', testServer().namespace];

/** One unit whose every attempt first says which run and attempt it is; attempt 1 fails. */
async function writePlan(dir: string): Promise<Plan> {
  const plan = {
    name: 'per-run',
    retry: { max_attempts: 2, initial_interval: '300ms' },
    work_units: [
      {
        unit_id: 'flaky',
        description: 'fails once',
        allowed_directories: ['src/flaky'],
        command: [
          'bash',
          '-c',
          'echo "$FANOUT_RUN_ID attempt $FANOUT_ATTEMPT"; exec "$0" --fail-until-attempt 2 --artifact out.md',
          FAKE_AGENT,
        ],
      },
    ],
  };
  const planFile = path.join(dir, 'plan.json');
  writeFileSync(planFile, JSON.stringify(plan));
  return (await loadPlanFile(planFile, { cwd: dir })).plan;
}

async function runToEnd(plan: Plan, repo: string, workflowId: string): Promise<void> {
  const handle = await startRun(fixture.client(), { plan, repo, taskQueue: fixture.taskQueue, workflowId });
  const result = await awaitResult(handle);
  expect(result.units['flaky']?.status).toBe('SUCCEEDED');
}

async function logs(...args: string[]): Promise<string> {
  const printed = await runCli(['logs', ...args, ...connection()], 30_000);
  expect(printed.stderr).toBe('');
  expect(printed.code).toBe(0);
  return printed.stdout;
}

describe('logs of runs that share a checkout', () => {
  it("prints each run's own lines of the attempt logs, not the later run's", async () => {
    const dir = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-logs-per-run-')));
    const repo = path.join(dir, 'repo');
    mkdirSync(repo);
    const plan = await writePlan(dir);
    const stamp = Date.now().toString(36);
    const first = `per-run-first-${stamp}`;
    const second = `per-run-second-${stamp}`;
    await runToEnd(plan, repo, first);
    await runToEnd(plan, repo, second);

    const logsDir = path.join(repo, '.agent/workers/flaky/logs');
    const failed = 'attempt 1 fails on purpose\n';
    // Both runs wrote into the same files: the whole file is not either run's log.
    expect(readFileSync(path.join(logsDir, 'attempt-1.log'), 'utf8')).toBe(
      `${first} attempt 1\n${failed}${second} attempt 1\n${failed}`,
    );
    expect(await logs(first, 'flaky')).toBe(`${first} attempt 2\n`);
    expect(await logs(first, 'flaky', '--attempt', '1')).toBe(`${first} attempt 1\n${failed}`);
    expect(await logs(second, 'flaky')).toBe(`${second} attempt 2\n`);
    expect(await logs(second, 'flaky', '--attempt', '1')).toBe(`${second} attempt 1\n${failed}`);

    const followed = await runCli(['logs', first, 'flaky', '--follow', ...connection()], 60_000);
    expect(followed.code).toBe(0);
    expect(followed.stdout).toBe(`${first} attempt 2\n`);
    expect(followed.stderr).toMatch(/--- flaky: SUCCEEDED ---\n$/);
  });
});
