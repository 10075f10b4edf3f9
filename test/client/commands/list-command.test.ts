/**
 * `agent-fanout list` finds runs through Temporal visibility and the search attributes the client
 * sets at start and the workflow keeps current: by plan name, by status, by checkout. The built
 * CLI against the shared dev server (which registers the attributes) and a worker of this file's.
 */
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { ListedRun } from '../../../src/client/commands/list';
import { useFanoutWorker } from '../../helpers/fanout-worker';
import { FAKE_AGENT, runCli } from '../../helpers/scenario-runner';
import { testServer } from '../../helpers/temporal';
import { requireBuiltCli } from '../helpers/built-cli';

const fixture = useFanoutWorker('list');
const base = realpathSync(mkdtempSync(join(tmpdir(), 'fanout-list-')));

beforeAll(requireBuiltCli);

const connection = () => [
  '--address',
  testServer().address,
  '--namespace',
  testServer().namespace,
  '--task-queue',
  fixture.taskQueue,
];

/** A two-unit plan named `name`: `b` fails when `fail` is set. */
function plan(name: string, fail: boolean): { planFile: string; repo: string } {
  const repo = join(base, name);
  mkdirSync(repo);
  const planFile = join(base, `${name}.json`);
  const agent = (...extra: string[]) => [FAKE_AGENT, '--artifact', 'out.md', ...extra];
  writeFileSync(
    planFile,
    JSON.stringify({
      name,
      on_failure: 'continue',
      work_units: [
        { unit_id: 'a', description: 'a', allowed_directories: ['a'], command: agent() },
        {
          unit_id: 'b',
          description: 'b',
          allowed_directories: ['b'],
          command: agent(...(fail ? ['--exit', '3'] : [])),
        },
      ],
    }),
  );
  return { planFile, repo };
}

/** `list` with `args` until `done(runs)` holds: visibility catches up with a run a moment later. */
async function listUntil(args: string[], done: (runs: ListedRun[]) => boolean): Promise<ListedRun[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const listed = await runCli(['list', ...args, '--json', ...connection()], 30_000);
    expect({ code: listed.code, stderr: listed.stderr }).toEqual({ code: 0, stderr: '' });
    const runs = JSON.parse(listed.stdout) as ListedRun[];
    if (done(runs) || Date.now() > deadline) return runs;
    await delay(500);
  }
}

describe('agent-fanout list', () => {
  const suffix = Date.now().toString(36);
  const good = `list-good-${suffix}`;
  const bad = `list-bad-${suffix}`;

  beforeAll(async () => {
    for (const [name, fail] of [
      [good, false],
      [bad, true],
    ] as const) {
      const { planFile, repo } = plan(name, fail);
      const started = await runCli(
        ['run', planFile, '--repo', repo, '--id', name, '--json', ...connection()],
        90_000,
      );
      expect(started.code).toBe(fail ? 1 : 0);
    }
  }, 200_000);

  it('finds a run by its plan name, with its status, units done and checkout', async () => {
    const runs = await listUntil(['--plan', good], (found) => found[0]?.units_done === 2);
    expect(runs).toEqual([
      expect.objectContaining({
        workflow_id: good,
        plan: good,
        repo: join(base, good),
        status: 'succeeded',
        units_done: 2,
        units_total: 2,
      }),
    ]);
    expect(runs[0]?.duration_ms).toBeGreaterThan(0);
  });

  it('finds runs by status, and not in another status', async () => {
    const failed = await listUntil(['--status', 'failed', '--limit', '1000'], (found) =>
      found.some((run) => run.workflow_id === bad),
    );
    expect(failed.map((run) => run.workflow_id)).toContain(bad);
    expect(failed.map((run) => run.workflow_id)).not.toContain(good);
    expect(failed.every((run) => run.status === 'failed')).toBe(true);
    const succeeded = await listUntil(['--status', 'succeeded', '--plan', bad], () => true);
    expect(succeeded).toEqual([]);
  });

  it('finds a run by its checkout and prints a table for people, newest first', async () => {
    const listed = await runCli(['list', '--repo', join(base, bad), ...connection()], 30_000);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^RUN\s+PLAN\s+STATUS\s+UNITS\s+STARTED \(UTC\)\s+TOOK\s+REPO$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(new RegExp(`^${bad}\\s+${bad}\\s+failed\\s+2/2\\s+`)),
    ]);
  });

  it('refuses an unknown status, naming the ones there are', async () => {
    const listed = await runCli(['list', '--status', 'done', ...connection()], 30_000);
    expect(listed.code).toBe(2);
    expect(listed.stderr).toContain(
      '--status done is not a run status; use one of running, succeeded, failed',
    );
  });
});
