/**
 * Records the workflow histories that `test/workflows/recorded-histories.test.ts` replays, so a
 * later change to the workflow code that would break runs already in flight is caught.
 * Run by hand after an intended, versioned workflow change:
 *   npx jest --testMatch '**\/test/histories/*.record.ts'
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { awaitResult, cancelUnit, readProgress, startRun } from '../../src/client/fanout-client';
import type { Plan } from '../../src/plan/types';
import { requireTemporalCli } from '../../src/dev/find-temporal-cli';
import { testServer, useFanoutWorker } from '../helpers/fanout-worker';
import { duration, testPlan, testUnit } from '../helpers/plan-factory';
import { FAKE_AGENT } from '../helpers/scenario-runner';
import {
  gitRunInput,
  sourceRepo,
  startGitRun,
  useWorktreeFolder,
  type GitRunStart,
} from '../workflows/git-run-helpers';

useWorktreeFolder();
const fixture = useFanoutWorker('record-histories');

/** A git run (SPEC §9) on a fresh source checkout. */
function gitStart(workflowId: string, plan: Plan): GitRunStart {
  const { repo, base } = sourceRepo();
  return { plan, repo, workflowId, taskQueue: fixture.taskQueue, git: gitRunInput(base, workflowId) };
}
const agent = (...args: string[]): string[] => [FAKE_AGENT, ...args];

async function record(
  name: string,
  plan: Plan,
  during?: (id: string) => Promise<void>,
  git?: boolean,
): Promise<void> {
  const workflowId = `history-${name}-${Date.now().toString(36)}`;
  const handle = git
    ? await startGitRun(fixture.client(), gitStart(workflowId, plan))
    : await startRun(fixture.client(), {
        plan,
        repo: realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-history-'))),
        taskQueue: fixture.taskQueue,
        workflowId,
      });
  if (during !== undefined) await during(workflowId);
  await awaitResult(handle);
  // The Temporal CLI writes the history in the proto JSON form that historyFromJSON reads.
  const json = execFileSync(requireTemporalCli().path, [
    'workflow', 'show', '--workflow-id', workflowId, '--address', testServer().address, '--output', 'json',
  ]);
  writeFileSync(path.join(__dirname, `${name}.json`), json);
}

it('records a diamond with a retried unit', async () => {
  await record(
    'diamond-with-retry',
    testPlan(
      [
        testUnit('a', [], { command: agent('--artifact', 'a.md') }),
        testUnit('b', ['a'], { command: agent('--fail-until-attempt', '2', '--artifact', 'b.md') }),
        testUnit('c', ['a'], { command: agent('--artifact', 'c.md') }),
        testUnit('d', ['b', 'c'], { command: agent('--artifact', 'd.md') }),
      ],
      { name: 'diamond', retry: { maxAttempts: 2, initialInterval: duration(200, '200ms'), backoff: 2, maxInterval: duration(1000, '1s') } },
    ),
  );
});

it('records a failure that cancels a running sibling and blocks and skips the rest', async () => {
  await record(
    'failure-cancels-siblings',
    testPlan(
      [
        testUnit('a', [], { command: agent('--sleep-ms', '1500', '--exit', '1') }),
        testUnit('b', [], { command: agent('--sleep-ms', '30000', '--artifact', 'b.md') }),
        testUnit('c', ['a'], { command: agent('--artifact', 'c.md') }),
        testUnit('d', [], { command: agent('--artifact', 'd.md') }),
      ],
      { name: 'cancel-siblings', maxWorkers: 2 },
    ),
  );
});

it('records a unit cancelled by request and a run cancelled by an operator', async () => {
  await record(
    'cancel-unit-then-run',
    testPlan(
      [
        testUnit('long', [], { command: agent('--sleep-ms', '30000', '--artifact', 'x.md') }),
        testUnit('after', ['long'], { command: agent('--artifact', 'x.md') }),
        testUnit('other', [], { command: agent('--sleep-ms', '30000', '--artifact', 'x.md') }),
      ],
      { name: 'cancel-unit-then-run' },
    ),
    async (workflowId) => {
      const handle = fixture.client().workflow.getHandle(workflowId);
      for (;;) {
        const progress = await readProgress(handle).catch(() => undefined);
        if (progress?.units.every((u) => u.unit_id === 'after' || u.status === 'RUNNING')) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      await cancelUnit(handle, 'long');
      await handle.cancel();
    },
  );
});

it('records a git run: a join of two units, and two serialized units that build on each other', async () => {
  const shared = { allowedDirectories: ['src/shared'] };
  await record(
    'git-join-and-serialize',
    testPlan(
      [
        testUnit('a', [], { command: agent('--write', 'src/a/a.txt', 'a', '--artifact', 'a.md') }),
        testUnit('b', [], { command: agent('--write', 'src/b/b.txt', 'b', '--artifact', 'b.md') }),
        testUnit('c', ['a', 'b'], { command: agent('--copy', 'src/a/a.txt', 'src/c/c.txt', '--artifact', 'c.md') }),
        testUnit('s1', [], { ...shared, command: agent('--write', 'src/shared/1.txt', '1', '--artifact', 's.md') }),
        testUnit('s2', [], { ...shared, command: agent('--write', 'src/shared/2.txt', '2', '--artifact', 's.md') }),
      ],
      { name: 'git-join-and-serialize', overlap: 'serialize', maxWorkers: 2 },
    ),
    undefined,
    true,
  );
});
