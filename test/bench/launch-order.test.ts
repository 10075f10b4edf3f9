/** The bench's check of SPEC §3 launch order, read from a run's event list. */
import { launchesAheadOfReady } from '../../src/bench/launch-order';
import type { FanoutEvent } from '../../src/plan/types';

const started = (unitId: string): FanoutEvent => ({ type: 'worker_started', unit_id: unitId });
const completed = (unitId: string): FanoutEvent => ({
  type: 'worker_completed',
  unit_id: unitId,
  exit_code: 0,
});
const units = [
  { unitId: 'a', dependencies: [] },
  { unitId: 'b', dependencies: ['a'] },
  { unitId: 'c', dependencies: [] },
  { unitId: 'd', dependencies: [] },
];

describe('launchesAheadOfReady', () => {
  it('accepts a unit that became ready later with a smaller id than one already started', () => {
    const events = [started('a'), started('c'), completed('a'), started('b'), completed('c'), started('d')];
    expect(launchesAheadOfReady(events, units)).toEqual({ ahead: 0, launches: 4 });
  });

  it('counts a launch that passed a ready unit with a smaller id', () => {
    const events = [started('a'), started('d'), completed('a'), started('c'), started('b')];
    expect(launchesAheadOfReady(events, units)).toEqual({ ahead: 2, launches: 4 });
  });
});
