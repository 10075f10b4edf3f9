import { unitOfLogPath } from '../../../src/client/live/agent-output';
import { viewFromProgress, viewFromResult } from '../../../src/client/live/run-view';
import type { FanoutResult } from '../../../src/plan/types';
import type { Progress, UnitProgress } from '../../../src/contracts/run-types';

function progressUnit(
  overrides: Partial<UnitProgress> & Pick<UnitProgress, 'unit_id' | 'status'>,
): UnitProgress {
  return {
    attempts: 1,
    started_at: '2026-01-01T00:00:00.000Z',
    finished_at: null,
    exit_code: null,
    error: null,
    ...overrides,
  };
}

const progress = (units: UnitProgress[]): Progress => ({
  plan_name: 'p',
  max_workers: 2,
  on_failure: 'cancel',
  state: 'running',
  counts: {},
  units,
});

describe('viewFromProgress', () => {
  it("shows a running unit's last output line from its heartbeat", () => {
    const view = viewFromProgress(
      'w',
      progress([progressUnit({ unit_id: 'a', status: 'RUNNING' })]),
      new Map([['a', 'tick 3']]),
    );
    expect(view.units[0]).toMatchObject({ note: 'tick 3', noteKind: 'output' });
  });

  it("does not show a retried unit's previous error as news while its next attempt runs", () => {
    const unit = progressUnit({
      unit_id: 'a',
      status: 'RUNNING',
      attempts: 2,
      error: "Worker 'a' exited with code 1",
    });
    expect(viewFromProgress('w', progress([unit]), new Map()).units[0]).toMatchObject({
      note: '',
      noteKind: 'none',
    });
  });

  it('shows why a unit waits, and how an ended unit failed', () => {
    const view = viewFromProgress(
      'w',
      progress([
        progressUnit({ unit_id: 'a', status: 'FAILED', error: "Worker 'a' exited with code 2" }),
        progressUnit({
          unit_id: 'b',
          status: 'BLOCKED',
          attempts: 0,
          error: 'Blocked by failed dependencies: a',
          why: 'blocked by failed dependencies: a',
        }),
        progressUnit({
          unit_id: 'c',
          status: 'WAITING',
          attempts: 0,
          why: 'waiting for a free slot (2/2 running)',
        }),
      ]),
      new Map(),
    );
    expect(view.units.map((unit) => [unit.noteKind, unit.note])).toEqual([
      ['error', "Worker 'a' exited with code 2"],
      ['error', 'Blocked by failed dependencies: a'],
      ['why', 'waiting for a free slot (2/2 running)'],
    ]);
  });
});

describe('viewFromResult', () => {
  it('lists every unit in result order with its evidence count or error', () => {
    const result: FanoutResult = {
      status: 'failed',
      events: [],
      units: {
        a: {
          status: 'SUCCEEDED',
          exit_code: 0,
          error: null,
          attempts: 1,
          started_at: null,
          finished_at: null,
          artifacts: [{ name: 'x', size: 1, sha256: '0' }],
        },
        b: {
          status: 'FAILED',
          exit_code: 3,
          error: "Worker 'b' exited with code 3",
          attempts: 2,
          started_at: null,
          finished_at: null,
          artifacts: [],
        },
      },
    };
    const view = viewFromResult('w', 'p', result);
    expect(view.state).toBe('failed');
    expect(view.units.map((unit) => [unit.unitId, unit.status, unit.note])).toEqual([
      ['a', 'SUCCEEDED', '1 artifact'],
      ['b', 'FAILED', "Worker 'b' exited with code 3"],
    ]);
  });
});

describe('unitOfLogPath', () => {
  it('reads the unit id from the attempt log path of SPEC §4.1', () => {
    expect(unitOfLogPath('/r/.agent/workers/api-client/logs/attempt-2.log')).toBe('api-client');
  });

  it('gives nothing for anything else', () => {
    expect(unitOfLogPath('/r/.agent/workers/api/logs/other.log')).toBeUndefined();
    expect(unitOfLogPath(42)).toBeUndefined();
  });
});
