/**
 * Every error path of the commands that reach a run answers with one line that says what is true
 * and what to do next, with the exit code of SPEC §6/§8.8 (never 70): a closed run, a run no
 * worker serves, a unit that never started, an empty or over-long id. Real CLI subprocesses
 * against the shared test server.
 */
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { awaitResult, startRun } from '../../../src/client/fanout-client';
import { loadPlanFile } from '../../../src/client/plan-input/load-plan';
import { testServer, uniqueTaskQueue, useFanoutWorker } from '../../helpers/fanout-worker';
import { FAKE_AGENT, runCli, type CliRun } from '../../helpers/scenario-runner';
import { requireBuiltCli } from '../helpers/built-cli';

const fixture = useFanoutWorker('error-paths');
const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-error-paths-')));
beforeAll(() => requireBuiltCli());

const connection = (): string[] => ['--address', testServer().address, '--namespace', testServer().namespace];

/** `a` fails, `b` (after `a`) is blocked, `c` succeeds. */
const FAILING_PLAN = {
  name: 'error-paths',
  retry: { max_attempts: 1 },
  work_units: [
    {
      unit_id: 'a',
      description: 'fails',
      allowed_directories: ['src/a'],
      command: [FAKE_AGENT, '--exit', '1'],
    },
    {
      unit_id: 'b',
      description: 'after a',
      allowed_directories: ['src/b'],
      dependencies: ['a'],
      command: [FAKE_AGENT, '--artifact', 'out.md'],
    },
    {
      unit_id: 'c',
      description: 'fine',
      allowed_directories: ['src/c'],
      command: [FAKE_AGENT, '--artifact', 'out.md'],
    },
  ],
};

async function startPlan(
  taskQueue: string,
): Promise<{ id: string; handle: Awaited<ReturnType<typeof startRun>> }> {
  const dir = mkdtempSync(path.join(base, 'run-'));
  const repo = path.join(dir, 'repo');
  mkdirSync(repo);
  const planFile = path.join(dir, 'plan.json');
  writeFileSync(planFile, JSON.stringify(FAILING_PLAN));
  const { plan } = await loadPlanFile(planFile, { cwd: dir });
  const id = `error-paths-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  const handle = await startRun(fixture.client(), { plan, repo, taskQueue, workflowId: id });
  return { id, handle };
}

let finishedId = '';
beforeAll(async () => {
  const { id, handle } = await startPlan(fixture.taskQueue);
  await awaitResult(handle);
  finishedId = id;
}, 120_000);

function expectOneLine(run: CliRun, code: number, pattern: RegExp): void {
  expect(run.stderr).toMatch(pattern);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).not.toMatch(/this is a bug|^\s+at /m);
  expect(run.code).toBe(code);
}

describe('cancel on a run that has ended', () => {
  it('says the run has ended and names status and retry, for one unit (exit 1)', async () => {
    const run = await runCli(['cancel', finishedId, '--unit', 'a', ...connection()], 60_000);
    expectOneLine(
      run,
      1,
      new RegExp(
        `^agent-fanout: run '${finishedId}' has already ended \\(failed\\), so there is nothing to cancel; ` +
          `see how it ended with \`agent-fanout status ${finishedId}\`, .*\`agent-fanout retry ${finishedId}\`$`,
        'm',
      ),
    );
    expect(run.stdout).toBe('');
  });

  it('says the same for the whole run instead of pretending to cancel it (exit 1)', async () => {
    const run = await runCli(['cancel', finishedId, ...connection()], 60_000);
    expectOneLine(run, 1, /has already ended \(failed\), so there is nothing to cancel/);
    expect(run.stderr).not.toMatch(/stopping every agent/);
    expect(run.stdout).toBe('');
  });
});

describe('logs of a unit that never started', () => {
  it('says a BLOCKED unit never will have a log, without suggesting --follow (exit 1)', async () => {
    const run = await runCli(['logs', finishedId, 'b', ...connection()], 60_000);
    expectOneLine(
      run,
      1,
      /^agent-fanout: unit 'b' has no log: it ended BLOCKED without starting an agent, so it never will; `agent-fanout status .*` says why/,
    );
    expect(run.stderr).not.toMatch(/--follow/);
  });

  it('says that an agent printed nothing instead of printing nothing at all (exit 0)', async () => {
    const run = await runCli(['logs', finishedId, 'c', ...connection()], 60_000);
    expect(run.stdout).toBe('');
    expectOneLine(
      run,
      0,
      /^attempt 1 of unit 'c' printed nothing \(.*\/c\/logs\/attempt-1\.log is empty\)$/m,
    );
  });

  it('says the same with --follow instead of ending quietly with 0', async () => {
    const run = await runCli(['logs', finishedId, 'b', '--follow', ...connection()], 60_000);
    expectOneLine(run, 1, /unit 'b' has no log: it ended BLOCKED without starting an agent/);
  });
});

describe('commands on a run that no worker serves', () => {
  const orphanQueue = uniqueTaskQueue('no-worker');
  let orphanId = '';
  beforeAll(async () => {
    orphanId = (await startPlan(orphanQueue)).id;
  });
  afterAll(async () => {
    await fixture
      .client()
      .workflow.getHandle(orphanId)
      .terminate('test over')
      .catch(() => undefined);
  });

  it('status says no worker polls the queue and how to start one (exit 1)', async () => {
    const run = await runCli(['status', orphanId, ...connection()], 60_000);
    expectOneLine(
      run,
      1,
      new RegExp(
        `run '${orphanId}' is running, but no worker polls its task queue '${orphanQueue}', and only a worker can read its progress; ` +
          `start one on the host that holds the checkout: agent-fanout worker --task-queue ${orphanQueue}$`,
        'm',
      ),
    );
    expect(run.stderr).not.toMatch(/--address/);
  });

  it('cancel --unit says the same instead of waiting without limit (exit 1)', async () => {
    const run = await runCli(['cancel', orphanId, '--unit', 'a', ...connection()], 60_000);
    expectOneLine(run, 1, /no worker polls its task queue .*, and only a worker can cancel unit 'a'/);
  });

  it('cancel of the whole run says the request is recorded and waits for a worker (exit 1)', async () => {
    const run = await runCli(['cancel', orphanId, ...connection()], 60_000);
    expectOneLine(
      run,
      1,
      new RegExp(
        `cancellation of run '${orphanId}' is recorded, but no worker polls its task queue '${orphanQueue}', so its agents are stopped only once one does`,
      ),
    );
  });
});

describe('ids the server would refuse', () => {
  const longId = 'x'.repeat(300);

  it('refuses an empty --id before starting anything (exit 2)', async () => {
    const dir = mkdtempSync(path.join(base, 'empty-id-'));
    const planFile = path.join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(FAILING_PLAN));
    const run = await runCli(['run', planFile, '--id', '', '--repo', dir, ...connection()], 60_000);
    expectOneLine(run, 2, /^agent-fanout: --id is empty; pass a run's workflow id/);
  });

  it('refuses an --id over 255 characters as the id, not the server (exit 2)', async () => {
    const dir = mkdtempSync(path.join(base, 'long-id-'));
    const planFile = path.join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(FAILING_PLAN));
    const run = await runCli(['run', planFile, '--id', longId, '--repo', dir, ...connection()], 60_000);
    expectOneLine(run, 2, /--id is 300 characters long; Temporal allows at most 255 in a workflow id/);
    expect(run.stderr).not.toMatch(/--address|server/);
  });

  it.each([['status'], ['watch'], ['cancel'], ['retry']])(
    '%s refuses a run id over 255 characters (exit 2)',
    async (command) => {
      const run = await runCli([command, longId, ...connection()], 60_000);
      expectOneLine(run, 2, /the run id is 300 characters long; Temporal allows at most 255/);
    },
  );

  it('status of a run that does not exist says so and what to check (exit 2)', async () => {
    const run = await runCli(['status', 'no-such-run-anywhere', ...connection()], 60_000);
    expectOneLine(run, 2, /no run 'no-such-run-anywhere' in namespace .*; check the id/);
  });
});

describe('the same commands on a running run that a worker serves', () => {
  const SLOW = {
    name: 'error-paths-running',
    work_units: ['s', 't'].map((id) => ({
      unit_id: id,
      description: 'ticks for 30 s',
      allowed_directories: [`src/${id}`],
      command: [FAKE_AGENT, '--ticks', '60', '500', '--artifact', 'out.md'],
    })),
  };

  it('status shows the table, cancel --unit cancels one unit, cancel stops the run (exit 0 each)', async () => {
    const dir = mkdtempSync(path.join(base, 'running-'));
    const repo = path.join(dir, 'repo');
    mkdirSync(repo);
    const planFile = path.join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(SLOW));
    const { plan } = await loadPlanFile(planFile, { cwd: dir });
    const id = `error-paths-running-${Date.now().toString(36)}`;
    const handle = await startRun(fixture.client(), {
      plan,
      repo,
      taskQueue: fixture.taskQueue,
      workflowId: id,
    });

    const status = await runCli(['status', id, ...connection()], 60_000);
    expect(status.stdout).toMatch(new RegExp(`^${id} — error-paths-running: running`));
    expect(status.code).toBe(0);

    const one = await runCli(['cancel', id, '--unit', 's', ...connection()], 60_000);
    expect(one.stdout).toBe('unit s is CANCELLED; its dependents are blocked, the rest of the run goes on\n');
    expect(one.code).toBe(0);

    const all = await runCli(['cancel', id, ...connection()], 60_000);
    expect(all.stderr).toBe(`cancelling run ${id}: stopping every agent…\n`);
    expect(all.stdout).toBe(`run ${id} is cancelled\n`);
    expect(all.code).toBe(0);
    await expect(awaitResult(handle)).resolves.toMatchObject({ status: 'cancelled' });
  });
});

describe('the end of a run that failed', () => {
  it("names status, logs of the failed unit and retry with this run's id (exit 1)", async () => {
    const dir = mkdtempSync(path.join(base, 'failed-'));
    const repo = path.join(dir, 'repo');
    mkdirSync(repo);
    const planFile = path.join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(FAILING_PLAN));
    const id = `error-paths-failed-${Date.now().toString(36)}`;
    const run = await runCli(
      ['run', planFile, '--id', id, '--repo', repo, '--task-queue', fixture.taskQueue, ...connection()],
      120_000,
    );
    expect(run.code).toBe(1);
    const last = run.stdout.trimEnd().split('\n').slice(-3);
    expect(last[0]).toMatch(new RegExp(`^Next: +agent-fanout status ${id}\\b`));
    expect(last[1]).toMatch(new RegExp(`^ +agent-fanout logs ${id} a\\b`));
    expect(last[2]).toMatch(new RegExp(`^ +agent-fanout retry ${id}\\b.*--plan <file>`));
  });
});
