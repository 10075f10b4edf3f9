/**
 * `agent-fanout logs`: a unit's agent log, read from where the run's input says the repo is, and
 * followed while the agent still runs. Real CLI subprocesses against the shared test server.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { awaitResult, startRun, type FanoutHandle } from '../../../src/client/fanout-client';
import { loadPlanFile } from '../../../src/client/plan-input/load-plan';
import { progressQuery } from '../../../src/workflows/messages';
import { testServer, useFanoutWorker } from '../../helpers/fanout-worker';
import { CLI, FAKE_AGENT, runCli } from '../../helpers/scenario-runner';
import { requireBuiltCli } from '../helpers/built-cli';

const fixture = useFanoutWorker('logs-command');
const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-logs-')));
beforeAll(() => requireBuiltCli());

const connection = (): string[] => ['--address', testServer().address, '--namespace', testServer().namespace];

/** `slow` ticks 6 times, 500 ms apart; `flaky` fails its first attempt and succeeds on the second. */
async function startPlan(name: string): Promise<{ handle: FanoutHandle; repo: string; id: string }> {
  const dir = mkdtempSync(path.join(base, `${name}-`));
  const repo = path.join(dir, 'repo');
  mkdirSync(repo);
  const plan = {
    name,
    retry: { max_attempts: 2, initial_interval: '300ms' },
    work_units: [
      {
        unit_id: 'slow',
        description: 'ticks slowly',
        allowed_directories: ['src/slow'],
        command: [FAKE_AGENT, '--ticks', '6', '500', '--artifact', 'out.md'],
      },
      {
        unit_id: 'flaky',
        description: 'fails once',
        allowed_directories: ['src/flaky'],
        // Attempt 1 lingers 3 s before it fails, so a follower started just after the run is
        // there to see it (an instant failure let attempt 2 start before a loaded CLI looked).
        command: [
          FAKE_AGENT,
          '--say',
          'flaky starts',
          '--if-attempt',
          '1',
          '--sleep-ms',
          '3000',
          '--fail-until-attempt',
          '2',
          '--artifact',
          'out.md',
        ],
      },
    ],
  };
  const planFile = path.join(dir, 'plan.json');
  writeFileSync(planFile, JSON.stringify(plan));
  const { plan: loaded } = await loadPlanFile(planFile, { cwd: dir });
  const id = `${name}-${Date.now().toString(36)}`;
  const handle = await startRun(fixture.client(), {
    plan: loaded,
    repo,
    taskQueue: fixture.taskQueue,
    workflowId: id,
  });
  return { handle, repo, id };
}

describe('logs --follow', () => {
  it('shows lines while the agent still runs, and stops once the unit has ended', async () => {
    const { handle, id } = await startPlan('follow');
    const child = spawn(process.execPath, [CLI, 'logs', id, 'slow', '--follow', ...connection()], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let statusAtFirstTick: Promise<string | undefined> | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (statusAtFirstTick === undefined && stdout.includes('tick 1\n')) {
        statusAtFirstTick = handle
          .query(progressQuery)
          .then((progress) => progress.units.find((unit) => unit.unit_id === 'slow')?.status);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));

    expect(code).toBe(0);
    expect(statusAtFirstTick).toBeDefined();
    await expect(statusAtFirstTick).resolves.toBe('RUNNING');
    expect(stdout).toBe('tick 1\ntick 2\ntick 3\ntick 4\ntick 5\ntick 6\n');
    expect(stderr).toMatch(/--- slow: SUCCEEDED ---\n$/);
    await awaitResult(handle);
  });

  it('goes on to the next attempt when the unit is retried', async () => {
    const { handle, id } = await startPlan('retried');
    const followed = await runCli(['logs', id, 'flaky', '--follow', ...connection()], 60_000);
    expect(followed.code).toBe(0);
    expect(followed.stdout).toBe('flaky starts\nattempt 1 fails on purpose\nflaky starts\n');
    expect(followed.stderr).toMatch(/--- flaky: attempt 2 \(.*\/flaky\/logs\/attempt-2\.log\) ---\n/);
    await awaitResult(handle);
  });
});

describe('logs', () => {
  it("prints the latest attempt's log, or the one --attempt names, from the repo of the run's input", async () => {
    const { handle, repo, id } = await startPlan('printed');
    await awaitResult(handle);
    const latest = await runCli(['logs', id, 'flaky', ...connection()], 30_000);
    expect(latest.code).toBe(0);
    expect(latest.stdout).toBe(
      readFileSync(path.join(repo, '.agent/workers/flaky/logs/attempt-2.log'), 'utf8'),
    );
    expect(latest.stdout).toBe('flaky starts\n');
    const first = await runCli(['logs', id, 'flaky', '--attempt', '1', ...connection()], 30_000);
    expect(first.stdout).toBe('flaky starts\nattempt 1 fails on purpose\n');

    const missing = await runCli(['logs', id, 'flaky', '--attempt', '3', ...connection()], 30_000);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      "agent-fanout: unit 'flaky' has no log of attempt 3; it has attempt 1, 2; pass one of those to --attempt, or leave it out for the latest\n",
    );
    const unknown = await runCli(['logs', id, 'nope', ...connection()], 30_000);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      `agent-fanout: run '${id}' has no unit 'nope'; its units are: slow, flaky (see \`agent-fanout status ${id}\`)\n`,
    );
  });
});
