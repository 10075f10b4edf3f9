/** RunState and SPEC §8.2: unit changes in results, out-of-bounds changes merged over the run. */
import { attemptContainment, AREAS_IN_ATTEMPT_UP_TO } from '../../src/workflows/unit-runner';
import { RunState } from '../../src/workflows/run-state';
import { testPlan, testUnit } from '../helpers/plan-factory';

const T = '2026-01-01T00:00:00.000Z';
const change = { path: 'src/a/x.ts', kind: 'added' as const, size: 1, sha256: 'f'.repeat(64) };

describe('RunState with observed changes', () => {
  it('keeps each unit changes and merges what the attempts saw out of bounds, with the units that saw it', () => {
    const state = new RunState(testPlan([testUnit('a'), testUnit('b')], { maxWorkers: 2 }));
    expect(state.launchReady(T)).toEqual(['a', 'b']);
    const stray = { path: 'stray.txt', kind: 'added' as const };
    state.settle('b', {
      kind: 'succeeded',
      artifacts: [],
      startedAt: T,
      finishedAt: T,
      observed: { changes: [], outOfBounds: [stray] },
    });
    state.settle('a', {
      kind: 'failed',
      exitCode: 1,
      error: 'boom',
      startedAt: T,
      finishedAt: T,
      // src/b/y.ts lies in b's area: an attempt that did not know b's area may report it; it is no stray.
      observed: { changes: [change], outOfBounds: [stray, { path: 'src/b/y.ts', kind: 'modified' }] },
    });
    expect(state.reports.outOfBounds).toEqual([{ path: 'stray.txt', kind: 'added', units: ['a', 'b'] }]);
    expect(state.unitResults().a?.changes).toEqual([change]);
    expect(state.unitResults().b?.changes).toEqual([]);
  });
});

describe('attemptContainment', () => {
  it('gives attempts every unit area up to the limit, and none beyond it', () => {
    const units = (n: number) => Array.from({ length: n }, (_, i) => testUnit(`u${i}`));
    expect(attemptContainment(testPlan(units(2))).areas).toEqual([
      { unitId: 'u0', allowedDirectories: ['src/u0'] },
      { unitId: 'u1', allowedDirectories: ['src/u1'] },
    ]);
    expect(attemptContainment(testPlan(units(AREAS_IN_ATTEMPT_UP_TO + 1))).areas).toBeUndefined();
  });
});
