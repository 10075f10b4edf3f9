/**
 * `agent-fanout run --id X` is idempotent (SPEC §5): while X runs, a second start is refused and
 * says how to watch it; once X has ended, it starts again only with `--allow-rerun`. Runs the built
 * CLI against the shared dev server and an in-process worker.
 */
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { useFanoutWorker } from '../../helpers/fanout-worker';
import { FAKE_AGENT, runCli } from '../../helpers/scenario-runner';
import { testServer } from '../../helpers/temporal';
import { requireBuiltCli } from '../helpers/built-cli';

const fixture = useFanoutWorker('duplicate-id');

beforeAll(requireBuiltCli);

function setup(): { repo: string; planFile: string } {
  const base = mkdtempSync(join(tmpdir(), 'fanout-dup-'));
  const repo = realpathSync(mkdtempSync(join(base, 'repo-')));
  const planFile = join(base, 'plan.json');
  const plan = {
    name: 'dup',
    // The fake agent counts its starts in count.txt at the repo root, outside every unit's area.
    confinement: 'off',
    agent: { command: [FAKE_AGENT, '--count', 'count.txt', '--sleep-ms', '3000', '--artifact', 'out.md'] },
    work_units: ['a', 'b'].map((id) => ({
      unit_id: id,
      description: `unit ${id}`,
      allowed_directories: [id],
    })),
  };
  writeFileSync(planFile, JSON.stringify(plan));
  return { repo, planFile };
}

function runArgs(planFile: string, repo: string, id: string, ...extra: string[]): string[] {
  const { address, namespace } = testServer();
  return [
    'run',
    planFile,
    '--repo',
    repo,
    '--id',
    id,
    '--json',
    '--address',
    address,
    '--namespace',
    namespace,
    '--task-queue',
    fixture.taskQueue,
    ...extra,
  ];
}

/** Executions with this workflow id, as the server's visibility lists them (eventually consistent). */
async function executions(id: string, expected: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    let count = 0;
    for await (const _ of fixture.client().workflow.list({ query: `WorkflowId = '${id}'` })) count += 1;
    if (count === expected || Date.now() > deadline) return count;
    await delay(200);
  }
}

async function started(id: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (
    !(await fixture
      .client()
      .workflow.getHandle(id)
      .describe()
      .then(
        () => true,
        () => false,
      ))
  ) {
    if (Date.now() > deadline) throw new Error(`run ${id} never started`);
    await delay(100);
  }
}

function countLines(repo: string): string[] {
  return readFileSync(join(repo, 'count.txt'), 'utf8').trim().split('\n').sort();
}

describe('run --id', () => {
  it('refuses to start an id that is running, says how to watch it, and starts nothing twice', async () => {
    const { repo, planFile } = setup();
    const id = `dup-running-${Date.now().toString(36)}`;
    const first = runCli(runArgs(planFile, repo, id), 60_000);
    await started(id);

    const second = await runCli(runArgs(planFile, repo, id), 60_000);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`agent-fanout watch ${id}`);
    expect(second.stderr).toContain('already running');

    const firstRun = await first;
    expect(firstRun.code).toBe(0);
    expect(await executions(id, 1)).toBe(1);
    expect(countLines(repo)).toEqual(['a attempt=1', 'b attempt=1']);
  });

  it('starts an id that has ended again only with --allow-rerun', async () => {
    const { repo, planFile } = setup();
    const id = `dup-ended-${Date.now().toString(36)}`;
    expect((await runCli(runArgs(planFile, repo, id), 60_000)).code).toBe(0);

    const refused = await runCli(runArgs(planFile, repo, id), 60_000);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--allow-rerun');
    expect(await executions(id, 1)).toBe(1);

    const rerun = await runCli(runArgs(planFile, repo, id, '--allow-rerun'), 60_000);
    expect(rerun.code).toBe(0);
    expect(await executions(id, 2)).toBe(2);
    expect(countLines(repo)).toEqual(['a attempt=1', 'a attempt=1', 'b attempt=1', 'b attempt=1']);
  });
});
