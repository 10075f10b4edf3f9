/**
 * A git run across executions and runs (SPEC §9): continue-as-new with a lowered history budget
 * keeps every unit's commit and the integration; a retry reuses output commits (no agent started
 * for them), merges them into a new integration before new units start, and starts the rest
 * from them.
 */
import { mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { awaitRecordedResult, awaitResult } from '../../src/client/fanout-client';
import { unitRef } from '../../src/contracts/git';
import type { EarlierSuccess } from '../../src/contracts/run-types';
import { fetchChain, type Execution } from '../../src/bench/chain';
import type { FanoutResult, WorkUnit } from '../../src/plan/types';
import { useFanoutWorker } from '../helpers/fanout-worker';
import { testPlan, testUnit } from '../helpers/plan-factory';
import { replayHistories } from '../helpers/replay';
import { FAKE_AGENT } from '../helpers/scenario-runner';
import {
  filesOf,
  gitIn,
  gitRunInput,
  isAncestor,
  scheduledAttempts,
  sourceRepo,
  startGitRun,
  useWorktreeFolder,
} from './git-run-helpers';

useWorktreeFolder();
const fixture = useFanoutWorker('git-continue-retry');
const EVENT_LIMIT = 300;
const scratch = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-gitwf-count-')));

/** Each unit writes its own file and counts its start in a file outside every working tree. */
function writer(unitId: string, deps: string[], counts: string, ...more: string[]): WorkUnit {
  const command = [FAKE_AGENT, '--count', counts, '--write', `src/${unitId}/out.txt`, unitId, ...more];
  return testUnit(unitId, deps, { command: [...command, '--artifact', 'r.md'] });
}

function countsOf(file: string): string[] {
  return readFileSync(file, 'utf8').trim().split('\n').sort();
}

/** What `retry` hands the workflow for a small earlier result: its successes, with their commits. */
function inlineSuccesses(result: FanoutResult): Record<string, EarlierSuccess> {
  const succeeded: Record<string, EarlierSuccess> = {};
  for (const [unitId, unit] of Object.entries(result.units)) {
    if (unit.status !== 'SUCCEEDED' || unit.commit === undefined) continue;
    succeeded[unitId] = {
      artifacts: unit.artifacts,
      startedAt: unit.started_at,
      finishedAt: unit.finished_at,
      commit: unit.commit,
    };
  }
  return succeeded;
}

describe('a git run that continues as new', () => {
  const workflowId = `git-can-${Date.now().toString(36)}`;
  const counts = path.join(scratch, 'can-counts.txt');
  const ids = (layer: number) => [0, 1, 2, 3].map((i) => `l${layer}-${i}`);
  const units = [0, 1, 2, 3, 4, 5].flatMap((layer) =>
    ids(layer).map((id, i) =>
      writer(
        id,
        layer === 0 ? [] : [ids(layer - 1)[i] as string, ids(layer - 1)[(i + 1) % 4] as string],
        counts,
      ),
    ),
  );
  let repo: string;
  let base: string;
  let result: FanoutResult;
  let chain: Execution[];

  beforeAll(async () => {
    ({ repo, base } = sourceRepo());
    const handle = await startGitRun(fixture.client(), {
      plan: testPlan(units, { name: 'git-can', maxWorkers: 4 }),
      repo,
      workflowId,
      taskQueue: fixture.taskQueue,
      git: gitRunInput(base, workflowId),
      historyEventLimit: EVENT_LIMIT,
    });
    result = await awaitResult(handle);
    chain = await fetchChain(fixture.client(), workflowId);
  }, 300_000);

  it('takes several executions, none over its budget, and runs each agent once', () => {
    expect(result.status).toBe('succeeded');
    expect(chain.length).toBeGreaterThan(1);
    const lengths = chain.map((execution) => execution.history.events?.length ?? 0);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(EVENT_LIMIT);
    expect(countsOf(counts)).toEqual(units.map((unit) => `${unit.unitId} attempt=1`).sort());
  });

  it('keeps every commit and the integration across executions', () => {
    const commits = result.git?.units ?? {};
    expect(Object.keys(commits).sort()).toEqual(units.map((unit) => unit.unitId).sort());
    for (const unit of units) {
      expect(commits[unit.unitId]).toBe(gitIn(repo, 'rev-parse', unitRef(workflowId, unit.unitId)));
      expect(result.units[unit.unitId]?.commit).toBe(commits[unit.unitId]);
    }
    const files = filesOf(repo, result.git?.integration as string);
    for (const unit of units) expect(files[`src/${unit.unitId}/out.txt`]).toBe(unit.unitId);
    // Every last-layer unit started from its dependencies' commits, whichever execution made them.
    const attempts = chain.flatMap((execution) => scheduledAttempts(execution.history));
    for (const unit of units.filter((u) => u.unitId.startsWith('l2-'))) {
      const merges = attempts.find((input) => input.unit.unitId === unit.unitId)?.git?.merges;
      expect(merges).toEqual(
        [...unit.dependencies].sort().map((dep) => ({ unitId: dep, sha: commits[dep] })),
      );
    }
  });

  it('replays every execution', async () => {
    const outcomes = await replayHistories(
      chain.map((execution) => ({ workflowId, history: execution.history })),
    );
    expect(outcomes).toEqual(chain.map(() => ({ workflowId })));
  });

  it('lets a retry reuse every commit from the stored result, merged into a new integration across executions', async () => {
    const recorded = await awaitRecordedResult(fixture.client().workflow.getHandle(workflowId));
    expect(recorded.result_file).toBeDefined();
    const retryId = `${workflowId}-retry`;
    const retried = await awaitResult(
      await startGitRun(fixture.client(), {
        plan: testPlan(units, { name: 'git-can', maxWorkers: 4 }),
        repo,
        workflowId: retryId,
        taskQueue: fixture.taskQueue,
        git: gitRunInput(base, retryId),
        retryOf: {
          workflowId,
          resultFile: { path: recorded.result_file as string, sha256: recorded.result_sha256 as string },
        },
        historyEventLimit: EVENT_LIMIT,
      }),
    );
    expect(retried.status).toBe('succeeded');
    // Its merges of reused units alone spend more than one execution's budget.
    const retryChain = await fetchChain(fixture.client(), retryId);
    expect(retryChain.length).toBeGreaterThan(1);
    const lengths = retryChain.map((execution) => execution.history.events?.length ?? 0);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(EVENT_LIMIT);
    const replayed = await replayHistories(
      retryChain.map((execution) => ({ workflowId: retryId, history: execution.history })),
    );
    expect(replayed).toEqual(retryChain.map(() => ({ workflowId: retryId })));
    expect(retried.events.filter((event) => event.type === 'worker_completed')).toHaveLength(units.length);
    expect(retried.git?.units).toEqual(result.git?.units);
    for (const unit of units) {
      expect(retried.units[unit.unitId]).toMatchObject({
        status: 'SUCCEEDED',
        attempts: 0,
        reused_from: workflowId,
      });
    }
    const files = filesOf(repo, retried.git?.integration as string);
    for (const unit of units) expect(files[`src/${unit.unitId}/out.txt`]).toBe(unit.unitId);
    expect(countsOf(counts)).toHaveLength(units.length);
  }, 180_000);
});

describe('a retry of a git run with one failed unit', () => {
  const workflowId = `git-retry-${Date.now().toString(36)}`;
  const counts = path.join(scratch, 'retry-counts.txt');
  let repo: string;
  let base: string;
  let first: FanoutResult;
  let retried: FanoutResult;
  let attempts: ReturnType<typeof scheduledAttempts>;

  beforeAll(async () => {
    ({ repo, base } = sourceRepo());
    const units = (bFails: boolean) => [
      writer('a', [], counts),
      writer('b', [], counts, ...(bFails ? ['--exit', '3'] : [])),
      testUnit('c', ['a'], {
        command: [
          FAKE_AGENT,
          '--count',
          counts,
          '--copy',
          'src/a/out.txt',
          'src/c/saw-a.txt',
          '--artifact',
          'r.md',
        ],
      }),
      testUnit('d', ['b'], {
        command: [
          FAKE_AGENT,
          '--count',
          counts,
          '--copy',
          'src/b/out.txt',
          'src/d/saw-b.txt',
          '--artifact',
          'r.md',
        ],
      }),
    ];
    first = await awaitResult(
      await startGitRun(fixture.client(), {
        plan: testPlan(units(true), { name: 'git-retry', onFailure: 'continue' }),
        repo,
        workflowId,
        taskQueue: fixture.taskQueue,
        git: gitRunInput(base, workflowId),
      }),
    );
    const retryId = `${workflowId}-retry`;
    const handle = await startGitRun(fixture.client(), {
      plan: testPlan(units(false), { name: 'git-retry', onFailure: 'continue' }),
      repo,
      workflowId: retryId,
      taskQueue: fixture.taskQueue,
      git: gitRunInput(base, retryId),
      retryOf: { workflowId, succeeded: inlineSuccesses(first), rerun: ['b', 'd'] },
    });
    retried = await awaitResult(handle);
    attempts = scheduledAttempts(await handle.fetchHistory());
  }, 240_000);

  it('failed once, with the units that succeeded committed', () => {
    expect(first.status).toBe('failed');
    expect(first.units.b).toMatchObject({ status: 'FAILED' });
    expect(first.units.d).toMatchObject({ status: 'BLOCKED' });
    expect(Object.keys(first.git?.units ?? {}).sort()).toEqual(['a', 'c']);
  });

  it('reuses the commits of a and c without starting their agents, and runs b and d', () => {
    expect(retried.status).toBe('succeeded');
    for (const id of ['a', 'c']) {
      expect(retried.units[id]).toMatchObject({ status: 'SUCCEEDED', attempts: 0, reused_from: workflowId });
      expect(retried.units[id]?.commit).toBe(first.units[id]?.commit);
    }
    expect(retried.units.b).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    expect(retried.units.d).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    expect(countsOf(counts)).toEqual(
      ['a attempt=1', 'b attempt=1', 'b attempt=1', 'c attempt=1', 'd attempt=1'].sort(),
    );
    expect(attempts.map((input) => input.unit.unitId).sort()).toEqual(['b', 'd']);
  });

  it('merges the reused commits before new units start, and the new integration holds all four', () => {
    const started = retried.events.findIndex((event) => event.type === 'worker_started');
    for (const id of ['a', 'c']) {
      const reused = retried.events.findIndex(
        (event) => event.type === 'worker_completed' && event.unit_id === id,
      );
      expect(reused).toBeGreaterThan(-1);
      expect(reused).toBeLessThan(started);
    }
    const integration = retried.git?.integration as string;
    expect(integration).not.toBe(first.git?.integration);
    for (const id of ['a', 'b', 'c', 'd']) {
      expect(isAncestor(repo, retried.git?.units[id] as string, integration)).toBe(true);
    }
    expect(filesOf(repo, integration)).toMatchObject({
      'src/a/out.txt': 'a',
      'src/b/out.txt': 'b',
      'src/c/saw-a.txt': 'a',
      'src/d/saw-b.txt': 'b',
    });
  });

  it('replays the retry', async () => {
    const retryId = `${workflowId}-retry`;
    const history = await fixture.client().workflow.getHandle(retryId).fetchHistory();
    expect(await replayHistories([{ workflowId: retryId, history }])).toEqual([{ workflowId: retryId }]);
  });
});
