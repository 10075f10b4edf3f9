/**
 * A run larger than one execution's history budget continues as new, against the real server,
 * worker and agents: the budget is lowered so a plan of tens of units takes several executions.
 * Each agent runs exactly once, dependency order holds across executions, a retry waiting out
 * its delay is carried over, the whole result is stored on the host and read back, and a retry
 * of such a run reuses every unit from the stored result.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { existsSync, mkdtempSync, readFileSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  awaitRecordedResult,
  awaitResult,
  readProgress,
  startRun,
  type FanoutHandle,
} from '../../src/client/fanout-client';
import { retryRun } from '../../src/client/run/retry-run';
import type { FanoutEvent, FanoutResult, Plan, WorkUnit } from '../../src/plan/types';
import { fetchChain } from '../../src/bench/chain';
import type { Execution } from '../../src/bench/chain';
import { replayHistories } from '../helpers/replay';
import { useFanoutWorker } from '../helpers/fanout-worker';
import { duration, testPlan, testUnit } from '../helpers/plan-factory';
import { FAKE_AGENT } from '../helpers/scenario-runner';
import { waitUntil } from '../helpers/hosts-workers';

const fixture = useFanoutWorker('continue-as-new');
const { taskQueue } = fixture;

const EVENT_LIMIT = 300;

/** Starts `plan` on this file's worker with the lowered history budget. */
function startWithBudget(plan: Plan, repo: string, workflowId: string): Promise<FanoutHandle> {
  return startRun(fixture.client(), { plan, repo, taskQueue, workflowId, historyEventLimit: EVENT_LIMIT });
}

function tempRepo(): string {
  return realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-can-')));
}

/** Layers of `width` units; each unit depends on two units of the layer before. */
function layeredUnits(layers: number, width: number, command: string[]): WorkUnit[] {
  const id = (layer: number, i: number): string => `l${layer}-${String(i).padStart(2, '0')}`;
  const units: WorkUnit[] = [];
  for (let layer = 0; layer < layers; layer++) {
    for (let i = 0; i < width; i++) {
      const deps = layer === 0 ? [] : [...new Set([id(layer - 1, i), id(layer - 1, (i + 3) % width)])];
      units.push(testUnit(id(layer, i), deps, { command }));
    }
  }
  return units;
}

function indexOfEvent(events: readonly FanoutEvent[], type: FanoutEvent['type'], unitId: string): number {
  return events.findIndex((event) => event.type === type && 'unit_id' in event && event.unit_id === unitId);
}

describe('continue-as-new', () => {
  let workflowId: string;
  let repo: string;
  let result: FanoutResult;
  let chain: Execution[];
  const units = layeredUnits(6, 12, [FAKE_AGENT, '--count', 'counts.txt', '--artifact', 'x.md']);

  beforeAll(async () => {
    repo = tempRepo();
    workflowId = `can-layers-${Date.now().toString(36)}`;
    const plan = testPlan(units, { name: 'can-layers', maxWorkers: 6 });
    const handle = await startWithBudget(plan, repo, workflowId);
    result = await awaitResult(handle);
    chain = await fetchChain(fixture.client(), workflowId);
  }, 240_000);

  it('takes several executions, none of them over its event budget', () => {
    expect(chain.length).toBeGreaterThan(2);
    expect(result.executions).toBe(chain.length);
    const lengths = chain.map((execution) => execution.history.events?.length ?? 0);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(EVENT_LIMIT);
    // Every execution may take 30 s to replay its history in one workflow task.
    for (const execution of chain) {
      const started = execution.history.events?.[0]?.workflowExecutionStartedEventAttributes;
      expect(Number(started?.workflowTaskTimeout?.seconds)).toBe(30);
    }
    // Each execution but the last spent most of its budget before it continued.
    for (const length of lengths.slice(0, -1)) expect(length).toBeGreaterThan(EVENT_LIMIT / 3);
  });

  it('runs every agent exactly once and ends every unit SUCCEEDED, in dependency order', () => {
    expect(result.status).toBe('succeeded');
    expect(Object.keys(result.units)).toEqual(units.map((unit) => unit.unitId));
    for (const unit of Object.values(result.units)) {
      expect(unit).toMatchObject({ status: 'SUCCEEDED', attempts: 1, exit_code: 0 });
      expect(unit.artifacts).toHaveLength(1);
      expect(unit.started_at).not.toBeNull();
    }
    const counts = readFileSync(path.join(repo, 'counts.txt'), 'utf8').trim().split('\n').sort();
    expect(counts).toEqual(units.map((unit) => `${unit.unitId} attempt=1`).sort());

    const { events } = result;
    expect(events[0]).toEqual({ type: 'fan_out_started' });
    expect(events[events.length - 1]).toEqual({ type: 'all_workers_complete' });
    expect(events).toHaveLength(2 + 2 * units.length);
    for (const unit of units) {
      const started = indexOfEvent(events, 'worker_started', unit.unitId);
      expect(started).toBeGreaterThan(0);
      for (const dep of unit.dependencies) {
        expect(indexOfEvent(events, 'worker_completed', dep)).toBeLessThan(started);
      }
    }
  });

  it('stores the whole result on the host and returns only its path and digest', async () => {
    const recorded = await awaitRecordedResult(fixture.client().workflow.getHandle(workflowId));
    expect(recorded.events).toEqual([]);
    expect(recorded.units).toEqual({});
    expect(recorded.result_file).toBe(result.result_file);
    expect(recorded.result_file?.startsWith(path.join(repo, '.agent/runs'))).toBe(true);
    expect(existsSync(recorded.result_file as string)).toBe(true);
    expect(readFileSync(path.join(repo, '.agent/DEVELOPMENT_RESULT.md'), 'utf8')).toContain(
      '- all_succeeded: true',
    );
  });

  it('answers progress after the run closed, with every unit', async () => {
    const progress = await readProgress(fixture.client().workflow.getHandle(workflowId));
    expect(progress.state).toBe('succeeded');
    expect(progress.units).toHaveLength(units.length);
    expect(progress.counts).toEqual({ SUCCEEDED: units.length });
  });

  it('replays every execution of the chain', async () => {
    const outcomes = await replayHistories(
      chain.map((execution) => ({ workflowId, history: execution.history })),
    );
    expect(outcomes).toEqual(chain.map(() => ({ workflowId })));
  });

  it('lets a retry reuse every unit from the stored result', async () => {
    const retryId = `${workflowId}-retry`;
    const retried = await awaitResult(await retryRun(fixture.client(), workflowId, { workflowId: retryId }));
    expect(retried.status).toBe('succeeded');
    expect(retried.retry_of).toBe(workflowId);
    for (const unit of units) {
      expect(retried.units[unit.unitId]).toMatchObject({
        status: 'SUCCEEDED',
        attempts: 0,
        reused_from: workflowId,
        artifacts: result.units[unit.unitId]?.artifacts,
      });
    }
    const counts = readFileSync(path.join(repo, 'counts.txt'), 'utf8').trim().split('\n');
    expect(counts).toHaveLength(units.length);
  }, 120_000);

  it('lets a retry with an edited plan rerun the changed unit and reuse the rest from the stored result', async () => {
    const changedId = 'l5-00'; // last layer: no dependents run again with it
    const edited = testPlan(
      units.map((unit) => (unit.unitId === changedId ? { ...unit, description: 'Done differently.' } : unit)),
      { name: 'can-layers', maxWorkers: 6 },
    );
    const retryId = `${workflowId}-edited`;
    const retried = await awaitResult(
      await retryRun(fixture.client(), workflowId, { workflowId: retryId, plan: edited }),
    );
    expect(retried.status).toBe('succeeded');
    expect(retried.units[changedId]).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    expect(retried.units[changedId]?.reused_from).toBeUndefined();
    const reused = Object.values(retried.units).filter((unit) => unit.reused_from === workflowId);
    expect(reused).toHaveLength(units.length - 1);
    const counts = readFileSync(path.join(repo, 'counts.txt'), 'utf8').trim().split('\n');
    expect(counts.slice(units.length)).toEqual([`${changedId} attempt=1`]);
  }, 120_000);

  it('carries a retry waiting out its delay into the next execution', async () => {
    const retryRepo = tempRepo();
    const id = `can-retry-${Date.now().toString(36)}`;
    const quick = [FAKE_AGENT, '--count', 'counts.txt', '--artifact', 'x.md'];
    const plan = testPlan(
      [
        // Sorts first, so it launches in the first wave; its attempt 1 fails and waits 8 s.
        testUnit('a-flaky', [], {
          command: [FAKE_AGENT, '--count', 'counts.txt', '--fail-until-attempt', '2', '--artifact', 'x.md'],
          retry: { maxAttempts: 2, initialInterval: duration(8000, '8s') },
        }),
        testUnit('z-after', ['a-flaky'], { command: quick }),
        ...Array.from({ length: 40 }, (_, i) =>
          testUnit(`b${String(i).padStart(2, '0')}`, [], { command: quick }),
        ),
      ],
      { name: 'can-retry', maxWorkers: 4 },
    );
    const handle = await startWithBudget(plan, retryRepo, id);
    const done = await awaitResult(handle);
    expect(done.status).toBe('succeeded');
    expect(done.units['a-flaky']).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    expect(done.events.filter((e) => e.type === 'worker_started' && e.unit_id === 'a-flaky')).toHaveLength(1);
    expect(done.events.filter((e) => e.type === 'worker_retrying')).toHaveLength(1);
    expect(indexOfEvent(done.events, 'worker_completed', 'a-flaky')).toBeLessThan(
      indexOfEvent(done.events, 'worker_started', 'z-after'),
    );
    const flakyRuns = readFileSync(path.join(retryRepo, 'counts.txt'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('a-flaky '));
    expect(flakyRuns).toEqual(['a-flaky attempt=1', 'a-flaky attempt=2']);

    // Attempt 1 ran in the first execution; attempt 2 in a later one, after the carry-over.
    const executions = await fetchChain(fixture.client(), id);
    const attemptsIn = (execution: Execution): number[] =>
      (execution.history.events ?? [])
        .map((event) => event.activityTaskScheduledEventAttributes)
        .filter((attrs) => attrs?.activityType?.name === 'runAgentAttempt')
        .map(
          (attrs) =>
            JSON.parse(Buffer.from(attrs?.input?.payloads?.[0]?.data ?? []).toString()) as {
              unit: { unitId: string };
              attempt: number;
            },
        )
        .filter((input) => input.unit.unitId === 'a-flaky')
        .map((input) => input.attempt);
    expect(attemptsIn(executions[0] as Execution)).toEqual([1]);
    expect(executions.slice(1).flatMap(attemptsIn)).toEqual([2]);
  }, 240_000);

  it('continues as new when its budget runs out while the only unit waits out a retry', async () => {
    const retryRepo = tempRepo();
    const id = `can-waiting-${Date.now().toString(36)}`;
    const retryDelayMs = 30_000;
    const plan = testPlan(
      [
        testUnit('a-flaky', [], {
          command: [FAKE_AGENT, '--count', 'counts.txt', '--fail-until-attempt', '2', '--artifact', 'x.md'],
          retry: { maxAttempts: 2, initialInterval: duration(retryDelayMs, '30s') },
        }),
      ],
      { name: 'can-waiting', maxWorkers: 1 },
    );
    const handle = await startWithBudget(plan, retryRepo, id);
    const firstRunId = (await handle.describe()).runId;
    const first = fixture.client().workflow.getHandle(id, firstRunId);
    await waitUntil('a-flaky to wait for its retry', async () => {
      const progress = await readProgress(first);
      return progress.units[0]?.status === 'RETRYING';
    });
    const retryDueBy = Date.now() + retryDelayMs;

    // No agent runs now, and none will complete. Signals nobody handles still add events and
    // workflow tasks to the history, so they spend the budget while the retry waits; the
    // execution must notice on its own and carry the retry over, not wait for a completion.
    // (The loop used to decide once, before it waited: this run then hung for good.)
    let described = await first.describe();
    while (described.status.name === 'RUNNING' && described.historyLength < EVENT_LIMIT - 150) {
      // The execution may close between the two calls: the next describe says so.
      await first.signal('fanout-test-noise').catch((error: unknown) => {
        if (!(error instanceof WorkflowNotFoundError)) throw error;
      });
      described = await first.describe();
    }
    await waitUntil('the first execution to continue as new', async () => {
      described = await first.describe();
      return described.status.name !== 'RUNNING' || Date.now() > retryDueBy - 5_000;
    });
    expect(described.status.name).toBe('CONTINUED_AS_NEW');

    const done = await awaitResult(handle);
    expect(done.status).toBe('succeeded');
    expect(done.units['a-flaky']).toMatchObject({ status: 'SUCCEEDED', attempts: 2 });
    expect(done.executions).toBe(2);
    const flakyRuns = readFileSync(path.join(retryRepo, 'counts.txt'), 'utf8').trim().split('\n');
    expect(flakyRuns).toEqual(['a-flaky attempt=1', 'a-flaky attempt=2']);
    const executions = await fetchChain(fixture.client(), id);
    const replayed = await replayHistories(
      executions.map((execution) => ({ workflowId: id, history: execution.history })),
    );
    expect(replayed).toEqual(executions.map(() => ({ workflowId: id })));
  }, 240_000);
});
