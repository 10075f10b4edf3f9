import type { UnitOutcome } from '../../src/workflows/unit-record';
import { RunState } from '../../src/workflows/run-state';
import { testPlan, testUnit } from '../helpers/plan-factory';

const T = '2026-01-01T00:00:00.000Z';
const ok: UnitOutcome = { kind: 'succeeded', artifacts: [], startedAt: T, finishedAt: T };
const bad = (error = 'boom'): UnitOutcome => ({
  kind: 'failed',
  exitCode: 1,
  error,
  startedAt: T,
  finishedAt: T,
});
const stopped: UnitOutcome = { kind: 'cancelled', finishedAt: T };

function brief(state: RunState): string[] {
  return state.events.map((e) => ('unit_id' in e ? `${e.type}:${e.unit_id}` : e.type));
}

describe('RunState', () => {
  it('ends an empty plan with fan_out_started then all_workers_complete', () => {
    const state = new RunState(testPlan([]));
    expect(state.launchReady(T)).toEqual([]);
    expect(state.finish(T)).toBe('succeeded');
    expect(brief(state)).toEqual(['fan_out_started', 'all_workers_complete']);
  });

  it('under cancel, reports the failure, then cancelled units in launch order once stopped, then blocked, then skipped', () => {
    const state = new RunState(
      testPlan([testUnit('a'), testUnit('c'), testUnit('b'), testUnit('d', ['c']), testUnit('e')], {
        maxWorkers: 3,
      }),
    );
    expect(state.launchReady(T)).toEqual(['a', 'b', 'c']);
    expect(state.settle('a', bad())).toEqual(['b', 'c']);
    expect(state.launchReady(T)).toEqual([]);
    state.settle('c', stopped);
    state.settle('b', stopped);
    expect(state.finish(T)).toBe('failed');
    expect(brief(state)).toEqual([
      'fan_out_started',
      'worker_started:a',
      'worker_started:b',
      'worker_started:c',
      'worker_failed:a',
      'worker_failed:b',
      'worker_failed:c',
      'worker_failed:d',
      'worker_failed:e',
    ]);
    expect(state.unitResults().d).toMatchObject({
      status: 'BLOCKED',
      error: 'Blocked by failed dependencies: c',
      attempts: 0,
    });
    expect(state.unitResults().e).toMatchObject({
      status: 'SKIPPED',
      error: 'Not started because another worker failed',
    });
    expect(state.unitResults().b).toMatchObject({
      status: 'CANCELLED',
      error: 'Cancelled because another worker failed',
      exit_code: 1,
    });
  });

  it('keeps a success that arrives while siblings are being cancelled', () => {
    const state = new RunState(testPlan([testUnit('a'), testUnit('b')]));
    state.launchReady(T);
    expect(state.settle('a', bad())).toEqual(['b']);
    state.settle('b', ok);
    expect(state.finish(T)).toBe('failed');
    expect(state.unitResults().b?.status).toBe('SUCCEEDED');
  });

  it('under drain, starts nothing new but lets running units finish, then blocks and skips', () => {
    const state = new RunState(
      testPlan([testUnit('a'), testUnit('b'), testUnit('c', ['a']), testUnit('d')], {
        maxWorkers: 2,
        onFailure: 'drain',
      }),
    );
    expect(state.launchReady(T)).toEqual(['a', 'b']);
    expect(state.settle('a', bad())).toEqual([]);
    expect(state.launchReady(T)).toEqual([]);
    state.settle('b', ok);
    state.finish(T);
    expect(brief(state).slice(3)).toEqual([
      'worker_failed:a',
      'worker_completed:b',
      'worker_failed:c',
      'worker_failed:d',
    ]);
  });

  it('under continue, blocks only the failure’s dependents, right after it, and keeps launching the rest', () => {
    const state = new RunState(
      testPlan([testUnit('a'), testUnit('b', ['a']), testUnit('c', ['b']), testUnit('d')], {
        maxWorkers: 1,
        onFailure: 'continue',
      }),
    );
    expect(state.launchReady(T)).toEqual(['a']);
    state.settle('a', bad());
    expect(brief(state).slice(-3)).toEqual(['worker_failed:a', 'worker_failed:b', 'worker_failed:c']);
    expect(state.unitResults().c?.error).toBe('Blocked by failed dependencies: b');
    expect(state.launchReady(T)).toEqual(['d']);
    state.settle('d', ok);
    expect(state.finish(T)).toBe('failed');
  });

  it('treats a skipped unit as no failure: its dependents are skipped too', () => {
    const state = new RunState(
      testPlan([testUnit('a'), testUnit('d'), testUnit('e', ['d'])], { maxWorkers: 1 }),
    );
    state.launchReady(T);
    state.settle('a', bad());
    state.finish(T);
    expect(state.unitResults().e).toMatchObject({ status: 'SKIPPED' });
  });

  it('cancels a unit by request without stopping the run, blocking its dependents', () => {
    const state = new RunState(testPlan([testUnit('a'), testUnit('b', ['a']), testUnit('c')]));
    state.launchReady(T);
    state.settle('a', stopped, 'request');
    expect(state.unitResults().a).toMatchObject({ status: 'CANCELLED', error: 'Cancelled by request' });
    expect(state.unitResults().b).toMatchObject({
      status: 'BLOCKED',
      error: 'Blocked by failed dependencies: a',
    });
    state.settle('c', ok);
    expect(state.finish(T)).toBe('failed');
  });

  it('counts a unit waiting out its retry delay as running', () => {
    const state = new RunState(testPlan([testUnit('a'), testUnit('b')], { maxWorkers: 1 }));
    state.launchReady(T);
    state.attemptStarting('a', 1);
    state.retrying('a', { exitCode: 1, error: 'x' }, 1, 1000, T);
    expect(state.launchReady(T)).toEqual([]);
    expect(state.status('a')).toBe('RETRYING');
  });
});
