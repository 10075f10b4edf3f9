/**
 * The state a run carries into its next execution: a state rebuilt from `carry()` schedules,
 * reports and ends exactly as the original would have, and the history budget stops launches
 * before any execution could pass its event limit.
 */
import fc from 'fast-check';
import {
  EVENTS_PER_LAUNCH,
  MIN_HISTORY_EVENT_LIMIT,
  launchAllowance,
} from '../../src/workflows/history-budget';
import type { UnitOutcome } from '../../src/workflows/unit-record';
import { RunState } from '../../src/workflows/run-state';
import { testPlan, testUnit } from '../helpers/plan-factory';

const T = '2026-01-01T00:00:00.000Z';
const ok: UnitOutcome = {
  kind: 'succeeded',
  artifacts: [{ name: 'x.md', size: 3, sha256: 'a'.repeat(64) }],
  startedAt: T,
  finishedAt: T,
};
const bad: UnitOutcome = { kind: 'failed', exitCode: 3, error: 'boom', startedAt: T, finishedAt: T };

describe('RunState.carry', () => {
  const plan = testPlan(
    [
      testUnit('a'),
      testUnit('b'),
      testUnit('c', ['a']),
      testUnit('d', ['b']),
      testUnit('e', ['c', 'd']),
      testUnit('f'),
      testUnit('g', ['f']),
    ],
    { maxWorkers: 2, onFailure: 'continue' },
  );

  it('restores statuses, attempts, evidence, errors and the dependency counters', () => {
    const first = new RunState(plan);
    expect(first.launchReady(T)).toEqual(['a', 'b']);
    first.attemptStarting('a', 1);
    first.attemptStarting('b', 1);
    first.settle('a', ok);
    first.settle('b', bad);
    expect(first.launchReady(T)).toEqual(['c', 'f']);
    first.attemptStarting('c', 1);
    first.attemptStarting('f', 1);
    first.settle('c', ok);
    first.retrying('f', { exitCode: 1, error: 'flaky' }, 1, 5000, '2026-01-01T00:00:05.000Z');
    const carried = first.carry(1, []);

    expect(carried.statuses).toBe('SFSBBRP');
    expect(carried.attempts).toEqual([1, 1, 1, 0, 0, 1, 0]);
    expect(carried.evidence).toEqual([1, 0, 1, 0, 0, 0, 0]);
    expect(carried.eventCount).toBe(first.events.length);
    expect(first.unitsEndedHere).toEqual(['a', 'b', 'd', 'e', 'c']);

    const next = new RunState(plan, carried);
    expect(next.eventOffset).toBe(first.events.length);
    expect(next.events).toEqual([]);
    expect(next.view('b')).toMatchObject({ status: 'FAILED', exitCode: 3, error: 'boom', attempts: 1 });
    expect(next.view('e')).toMatchObject({ status: 'BLOCKED', blockedBy: ['d'] });
    expect(next.view('a')).toMatchObject({ status: 'SUCCEEDED', evidenceCount: 1, launched: true });
    // f waits out its retry delay and still holds a slot; g waits for it.
    expect(next.resumedRetries()).toEqual([{ unitId: 'f', attempt: 2, retryAt: '2026-01-01T00:00:05.000Z' }]);
    expect(next.onlyRetriesWaiting).toBe(true);
    expect(next.launchReady(T)).toEqual([]);
    next.attemptStarting('f', 2);
    next.settle('f', ok);
    expect(next.launchReady(T)).toEqual(['g']);
    next.settle('g', ok);
    expect(next.finish(T)).toBe('failed');
    expect(next.unitsEndedHere).toEqual(['f', 'g']);
    expect(next.events.map((e) => e.type)).toEqual([
      'worker_completed',
      'worker_started',
      'worker_completed',
    ]);
  });

  it('keeps a reused success reused, named after the retried run', () => {
    const first = new RunState(testPlan([testUnit('a'), testUnit('b', ['a'])]), undefined, 'old-run');
    first.reuse(
      'a',
      { artifacts: ok.kind === 'succeeded' ? ok.artifacts : [], startedAt: T, finishedAt: T },
      'old-run',
    );
    const carried = first.carry(1, []);
    expect(carried.statuses).toBe('UP');
    const next = new RunState(testPlan([testUnit('a'), testUnit('b', ['a'])]), carried, 'old-run');
    expect(next.view('a')).toMatchObject({
      status: 'SUCCEEDED',
      reusedFrom: 'old-run',
      attempts: 0,
      launched: false,
    });
    expect(next.launchReady(T)).toEqual(['b']);
  });

  it('keeps the containment warnings and out-of-bounds changes for the next execution', () => {
    const two = testPlan([testUnit('a'), testUnit('b')]);
    const first = new RunState(two);
    expect(first.launchReady(T, 1)).toEqual(['a']);
    first.attemptStarting('a', 1);
    const warning = 'confinement: landlock is not available on h (test); auditing instead';
    first.settle('a', {
      ...ok,
      containment: { confinement: 'audit', warning },
      observed: { outOfBounds: [{ path: 'stray.txt', kind: 'added' }] },
    });
    const carried = first.carry(1, []);
    const next = new RunState(two, carried);
    expect(next.launchReady(T)).toEqual(['b']);
    next.attemptStarting('b', 1);
    next.settle('b', {
      ...ok,
      containment: { confinement: 'audit', warning },
      observed: { outOfBounds: [{ path: 'other.txt', kind: 'modified' }] },
    });
    expect(next.reports.warnings).toEqual([warning]);
    expect(next.reports.outOfBounds.map(({ path, units }) => ({ path, units }))).toEqual([
      { path: 'other.txt', units: ['b'] },
      { path: 'stray.txt', units: ['a'] },
    ]);
  });

  it('launches no more than the limit it is given, keeping the rest ready in order', () => {
    const state = new RunState(testPlan([testUnit('a'), testUnit('b'), testUnit('c')]));
    expect(state.launchReady(T, 1)).toEqual(['a']);
    expect(state.launchReady(T, 0)).toEqual([]);
    expect(state.launchReady(T)).toEqual(['b', 'c']);
  });
});

describe('launchAllowance', () => {
  it('reserves the events of every running unit, so launching all it allows stays under the limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12_000 }),
        fc.integer({ min: 0, max: 256 }),
        fc.integer({ min: 300, max: 20_000 }),
        (events, running, limit) => {
          const allowed = launchAllowance({ events, bytes: 0 }, running, limit);
          expect(allowed).toBeGreaterThanOrEqual(0);
          if (allowed > 0) {
            expect(events + (running + allowed) * EVENTS_PER_LAUNCH).toBeLessThanOrEqual(limit);
          }
        },
      ),
    );
  });

  it('always lets a fresh execution launch at the smallest limit it accepts, so a run cannot continue as new forever', () => {
    // A fresh execution: its first workflow task, a plan-sized input.
    expect(launchAllowance({ events: 3, bytes: 1_500_000 }, 0, MIN_HISTORY_EVENT_LIMIT)).toBeGreaterThan(0);
  });

  it('stops launches once the history bytes near the warning size', () => {
    expect(launchAllowance({ events: 100, bytes: 0 }, 0, 10_240)).toBeGreaterThan(1000);
    expect(launchAllowance({ events: 100, bytes: 8 * 1024 * 1024 }, 0, 10_240)).toBe(0);
  });
});
