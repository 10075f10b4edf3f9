/**
 * `--prefetch N` against the real server, worker and agents: units start ahead of a free slot
 * and wait on the worker; a unit that succeeds hands its slot to the first of them, which starts
 * its agent at once. Every agent runs once, never more than `max_workers` at a time, units start
 * in code-point order, and a failure under `cancel` starts nothing after it.
 */
import { existsSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { temporal } from '@temporalio/proto';
import {
  awaitResult,
  cancelUnit,
  readProgress,
  startRun,
  type FanoutHandle,
} from '../../src/client/fanout-client';
import { fetchChain } from '../../src/bench/chain';
import { launchesAheadOfReady } from '../../src/bench/launch-order';
import type { RunningWorker } from '../../src/worker/create-worker';
import type { FanoutEvent, FanoutResult, Plan, WorkUnit } from '../../src/plan/types';
import { replayWorkflows } from '../helpers/replay';
import { startTestWorker, useFanoutWorker } from '../helpers/fanout-worker';
import { waitUntil } from '../helpers/hosts-workers';
import { testPlan, testUnit } from '../helpers/plan-factory';
import { FAKE_AGENT } from '../helpers/scenario-runner';

const fixture = useFanoutWorker('prefetch');

function tempRepo(): string {
  return realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-prefetch-')));
}

function stampedUnit(unitId: string, sleepMs: number, extra: string[] = []): WorkUnit {
  const command = [
    FAKE_AGENT,
    '--count',
    'counts.txt',
    '--stamp',
    'stamps.txt',
    'start',
    '--sleep-ms',
    String(sleepMs),
    '--stamp',
    'stamps.txt',
    'end',
    ...extra,
    '--artifact',
    'x.md',
  ];
  return testUnit(unitId, [], { command });
}

/** The most agents whose `start` … `end` stamps overlap. */
function mostAtOnce(stampsFile: string): number {
  const marks = readFileSync(stampsFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(' '))
    .map(([, , label, ms]) => ({ at: Number(ms), delta: label === 'start' ? 1 : -1 }))
    // An end and a start in the same millisecond: the end first.
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  let running = 0;
  let most = 0;
  for (const mark of marks) {
    running += mark.delta;
    most = Math.max(most, running);
  }
  return most;
}

function countsOf(repo: string): Map<string, number> {
  const counts = new Map<string, number>();
  const file = path.join(repo, 'counts.txt');
  if (!existsSync(file)) return counts;
  for (const line of readFileSync(file, 'utf8').trim().split('\n')) {
    const unitId = line.split(' ')[0] as string;
    counts.set(unitId, (counts.get(unitId) ?? 0) + 1);
  }
  return counts;
}

/** Every unit's agent ran exactly once (the fake agent's count file). */
function expectEachAgentOnce(repo: string, units: readonly WorkUnit[]): void {
  const counts = countsOf(repo);
  expect([...counts.keys()].sort()).toEqual(units.map((unit) => unit.unitId));
  expect([...counts.values()].every((count) => count === 1)).toBe(true);
}

function startedInOrder(events: readonly FanoutEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'worker_started' ? [event.unit_id] : []));
}

/** The units named as `handedTo` in the run's completed attempt activities. */
async function handedOverUnits(workflowId: string): Promise<string[]> {
  const history = await fixture.client().workflow.getHandle(workflowId).fetchHistory();
  return (history.events ?? []).flatMap((event: temporal.api.history.v1.IHistoryEvent) => {
    const payload = event.activityTaskCompletedEventAttributes?.result?.payloads?.[0];
    if (payload?.data === undefined || payload.data === null) return [];
    const result = JSON.parse(Buffer.from(payload.data).toString('utf8')) as { handedTo?: string };
    return result.handedTo === undefined ? [] : [result.handedTo];
  });
}

/** Starts `units` as a plan with `--prefetch`, on this file's worker. */
function startPrefetching(
  units: WorkUnit[],
  plan: Partial<Plan> & { name: string },
  run: { repo: string; workflowId: string; prefetch: number; historyEventLimit?: number },
): Promise<FanoutHandle> {
  return startRun(fixture.client(), {
    plan: testPlan(units, plan),
    taskQueue: fixture.taskQueue,
    ...run,
  });
}

describe('prefetch', () => {
  const ids: string[] = [];

  describe('a run whose units succeed', () => {
    const repo = tempRepo();
    const workflowId = `prefetch-wide-${Date.now().toString(36)}`;
    // Lengths that differ, so units end in another order than they started.
    const units = Array.from({ length: 24 }, (_, i) =>
      stampedUnit(`p${String(i).padStart(2, '0')}`, 250 + ((i * 137) % 300)),
    );
    let result: FanoutResult;

    beforeAll(async () => {
      const handle = await startPrefetching(
        units,
        { name: 'prefetch-wide', maxWorkers: 3 },
        { repo, workflowId, prefetch: 4 },
      );
      result = await awaitResult(handle);
      ids.push(workflowId);
    }, 120_000);

    it('runs every agent exactly once', () => {
      expect(result.status).toBe('succeeded');
      expectEachAgentOnce(repo, units);
    });

    it('hands slots over to waiting units', async () => {
      const handed = await handedOverUnits(workflowId);
      expect(handed.length).toBeGreaterThan(0);
      // A unit named as handed over started right after the unit that handed it over ended.
      for (const unitId of handed) {
        const started = result.events.findIndex((e) => e.type === 'worker_started' && e.unit_id === unitId);
        expect(result.events[started - 1]?.type).toBe('worker_completed');
      }
    });

    it('never runs more than max_workers agents at once', () => {
      expect(mostAtOnce(path.join(repo, 'stamps.txt'))).toBeLessThanOrEqual(3);
    });

    it('starts units in code-point order (SPEC §3), whatever order the completions arrived in', () => {
      expect(startedInOrder(result.events)).toHaveLength(units.length);
      expect(launchesAheadOfReady(result.events, units).ahead).toBe(0);
    });
  });

  describe('a run of instant agents', () => {
    const repo = tempRepo();
    const workflowId = `prefetch-instant-${Date.now().toString(36)}`;
    // Agents that end before the units prefetched after them reach the worker: slots free with no
    // waiter there yet, and go to the next ticket when it arrives (slot-handover.ts, freed-slot.ts).
    const units = Array.from({ length: 16 }, (_, i) => stampedUnit(`i${String(i).padStart(2, '0')}`, 0));
    let result: FanoutResult;

    beforeAll(async () => {
      const handle = await startPrefetching(
        units,
        { name: 'prefetch-instant', maxWorkers: 2 },
        { repo, workflowId, prefetch: 3 },
      );
      result = await awaitResult(handle);
      ids.push(workflowId);
    }, 120_000);

    it('runs each agent once, in code-point order, never more than max_workers at a time', () => {
      expect(result.status).toBe('succeeded');
      expectEachAgentOnce(repo, units);
      expect(launchesAheadOfReady(result.events, units).ahead).toBe(0);
      expect(mostAtOnce(path.join(repo, 'stamps.txt'))).toBeLessThanOrEqual(2);
    });
  });

  describe('a failure under on_failure: cancel', () => {
    const repo = tempRepo();
    const workflowId = `prefetch-cancel-${Date.now().toString(36)}`;
    const units = Array.from({ length: 10 }, (_, i) => {
      const unitId = `c${i}`;
      // Long enough for the cancellation to reach c0 with a heartbeat's answer.
      return i === 1 ? stampedUnit(unitId, 300, ['--exit', '1']) : stampedUnit(unitId, 3000);
    });
    let result: FanoutResult;

    beforeAll(async () => {
      const handle = await startPrefetching(
        units,
        { name: 'prefetch-cancel', maxWorkers: 2 },
        { repo, workflowId, prefetch: 3 },
      );
      result = await awaitResult(handle);
      ids.push(workflowId);
    }, 120_000);

    it('cancels what ran and starts none of the waiting units', () => {
      expect(result.status).toBe('failed');
      expect(result.units.c1?.status).toBe('FAILED');
      expect(result.units.c0?.status).toBe('CANCELLED');
      const started = new Set(startedInOrder(result.events));
      expect([...started].sort()).toEqual(['c0', 'c1']);
      for (const unit of units.slice(2)) {
        expect(result.units[unit.unitId]?.status).toBe('SKIPPED');
      }
      // No agent of a skipped unit ever ran.
      expect([...countsOf(repo).keys()].sort()).toEqual(['c0', 'c1']);
    });
  });

  describe('a last failure under on_failure: continue', () => {
    const repo = tempRepo();
    const workflowId = `prefetch-continue-${Date.now().toString(36)}`;
    const units = Array.from({ length: 6 }, (_, i) =>
      i === 0 ? stampedUnit('f0', 300, ['--exit', '1']) : stampedUnit(`f${i}`, 300),
    );
    let result: FanoutResult;

    beforeAll(async () => {
      const handle = await startPrefetching(
        units,
        { name: 'prefetch-continue', maxWorkers: 1, onFailure: 'continue' },
        { repo, workflowId, prefetch: 2 },
      );
      result = await awaitResult(handle);
      ids.push(workflowId);
    }, 120_000);

    it('hands its slot over like a success, so units still start in order', () => {
      expect(result.units.f0?.status).toBe('FAILED');
      expect(units.slice(1).every((unit) => result.units[unit.unitId]?.status === 'SUCCEEDED')).toBe(true);
      expect(startedInOrder(result.events)).toEqual(units.map((unit) => unit.unitId));
      expect(mostAtOnce(path.join(repo, 'stamps.txt'))).toBe(1);
    });
  });

  describe('an operator cancels a unit that waits for a slot', () => {
    const repo = tempRepo();
    const workflowId = `prefetch-cancel-unit-${Date.now().toString(36)}`;
    const units = ['k0', 'k1', 'k2'].map((unitId) => stampedUnit(unitId, 1500));
    let result: FanoutResult;

    beforeAll(async () => {
      const handle = await startPrefetching(
        units,
        { name: 'prefetch-cancel-unit', maxWorkers: 1, onFailure: 'continue' },
        { repo, workflowId, prefetch: 2 },
      );
      await waitUntil(
        'k0 runs',
        async () => (await readProgress(handle)).units.some((u) => u.status === 'RUNNING'),
        30_000,
      );
      const answer = await cancelUnit(handle, 'k1');
      expect(answer.status).toBe('CANCELLED');
      result = await awaitResult(handle);
      ids.push(workflowId);
    }, 120_000);

    it('never starts its agent, and the next unit takes the slot', () => {
      expect(result.units.k1?.status).toBe('CANCELLED');
      expect(result.units.k1?.attempts).toBe(0);
      expect(result.units.k0?.status).toBe('SUCCEEDED');
      expect(result.units.k2?.status).toBe('SUCCEEDED');
      expect([...countsOf(repo).keys()].sort()).toEqual(['k0', 'k2']);
    });
  });

  describe('an operator cancels a running unit while others wait for a slot', () => {
    const repo = tempRepo();
    const workflowId = `prefetch-cancel-running-${Date.now().toString(36)}`;
    const units = [
      stampedUnit('r0', 20_000),
      stampedUnit('r1', 300),
      stampedUnit('r2', 300),
      stampedUnit('r3', 300),
    ];
    let result: FanoutResult;

    beforeAll(async () => {
      const handle = await startPrefetching(
        units,
        { name: 'prefetch-cancel-running', maxWorkers: 1, onFailure: 'continue' },
        { repo, workflowId, prefetch: 2 },
      );
      await waitUntil(
        'r0 runs',
        async () => (await readProgress(handle)).units.some((u) => u.status === 'RUNNING'),
        30_000,
      );
      // Its slot frees with no handover: it goes to the first waiting unit (freed-slot.ts).
      expect((await cancelUnit(handle, 'r0')).status).toBe('CANCELLED');
      result = await awaitResult(handle);
      ids.push(workflowId);
    }, 120_000);

    it('gives its slot to the waiting units, in order, one at a time', () => {
      expect(result.units.r0?.status).toBe('CANCELLED');
      expect(['r1', 'r2', 'r3'].map((unitId) => result.units[unitId]?.status)).toEqual(
        Array(3).fill('SUCCEEDED'),
      );
      expect(startedInOrder(result.events)).toEqual(['r0', 'r1', 'r2', 'r3']);
      expectEachAgentOnce(repo, units);
      // r0's agent was stopped mid-sleep, so it stamped no end: the workflow learnt of its
      // cancellation once its process group was gone, and r1 started after that.
      const stamps = readFileSync(path.join(repo, 'stamps.txt'), 'utf8').trim().split('\n');
      const r1Start = stamps.find((line) => line.startsWith('r1 ') && line.includes(' start '));
      expect(Number(r1Start?.split(' ')[3])).toBeGreaterThanOrEqual(
        Date.parse(result.units.r0?.finished_at ?? ''),
      );
      const others = path.join(repo, 'stamps-after-r0.txt');
      writeFileSync(others, stamps.filter((line) => !line.startsWith('r0 ')).join('\n'));
      expect(mostAtOnce(others)).toBe(1);
    });
  });

  describe('a run that continues as new', () => {
    const repo = tempRepo();
    const workflowId = `prefetch-can-${Date.now().toString(36)}`;
    const units = Array.from({ length: 30 }, (_, i) => stampedUnit(`n${String(i).padStart(2, '0')}`, 100));
    let result: FanoutResult;

    beforeAll(async () => {
      const handle = await startPrefetching(
        units,
        { name: 'prefetch-can', maxWorkers: 3 },
        { repo, workflowId, prefetch: 3, historyEventLimit: 150 },
      );
      result = await awaitResult(handle);
    }, 180_000);

    it('takes several executions, each agent once, never over max_workers', async () => {
      expect(result.status).toBe('succeeded');
      const chain = await fetchChain(fixture.client(), workflowId);
      expect(chain.length).toBeGreaterThan(1);
      expectEachAgentOnce(repo, units);
      expect(mostAtOnce(path.join(repo, 'stamps.txt'))).toBeLessThanOrEqual(3);
    });
  });

  describe('two workers on the task queue', () => {
    const repo = tempRepo();
    const workflowId = `prefetch-two-${Date.now().toString(36)}`;
    const units = Array.from({ length: 24 }, (_, i) =>
      stampedUnit(`t${String(i).padStart(2, '0')}`, 200 + ((i * 61) % 200)),
    );
    let second: RunningWorker | undefined;
    let result: FanoutResult;

    beforeAll(async () => {
      second = await startTestWorker(fixture.taskQueue);
      const handle = await startPrefetching(
        units,
        { name: 'prefetch-two', maxWorkers: 3 },
        { repo, workflowId, prefetch: 3 },
      );
      result = await awaitResult(handle);
      ids.push(workflowId);
    }, 180_000);
    afterAll(async () => second?.shutdown());

    it('runs every agent once and never more than max_workers at a time', () => {
      expect(result.status).toBe('succeeded');
      expectEachAgentOnce(repo, units);
      expect(mostAtOnce(path.join(repo, 'stamps.txt'))).toBeLessThanOrEqual(3);
    });
  });

  it('replays every run without non-determinism', async () => {
    const outcomes = await replayWorkflows(fixture.client(), ids);
    expect(outcomes).toEqual(ids.map((workflowId) => ({ workflowId })));
  }, 60_000);
});
