/** What a retry looks like: reused units marked REUSED without the earlier run's times, a retry delay with its time. */
import { renderFrame } from '../../../src/client/live/frame';
import { painter } from '../../../src/client/live/ansi';
import { viewFromProgress } from '../../../src/client/live/run-view';
import { formatProgressTable } from '../../../src/client/output/progress-table';
import type { Progress, UnitProgress } from '../../../src/contracts/run-types';

const unit = (overrides: Partial<UnitProgress> & Pick<UnitProgress, 'unit_id' | 'status'>): UnitProgress => ({
  attempts: 1,
  started_at: null,
  finished_at: null,
  exit_code: null,
  error: null,
  ...overrides,
});

const progress = (units: UnitProgress[]): Progress => ({
  plan_name: 'p',
  max_workers: 2,
  on_failure: 'cancel',
  state: 'running',
  counts: {},
  units,
});

const NOW = Date.parse('2026-01-02T00:00:10.000Z');

describe('the live table of a retry', () => {
  const retry = progress([
    unit({
      unit_id: 'old',
      status: 'SUCCEEDED',
      started_at: '2026-01-01T00:00:00.000Z',
      finished_at: '2026-01-01T00:05:00.000Z',
      reused_from: 'first-run',
    }),
    unit({ unit_id: 'new', status: 'RUNNING', started_at: '2026-01-02T00:00:05.000Z' }),
  ]);

  it('marks a reused unit REUSED and names the run it came from', () => {
    const view = viewFromProgress('retry-run', retry, new Map());
    expect(view.units[0]).toMatchObject({ reused: true, startedAt: null, note: 'reused from first-run' });
    const lines = renderFrame(view, {
      columns: 100,
      rows: 20,
      nowMs: NOW,
      paint: painter(false),
      unicode: false,
    });
    expect(lines.find((line) => line.startsWith('old'))).toMatch(/^old\s+REUSED\s/);
  });

  it("counts the clock from this run's first start, not the reused unit's", () => {
    const view = viewFromProgress('retry-run', retry, new Map());
    const [header] = renderFrame(view, {
      columns: 100,
      rows: 20,
      nowMs: NOW,
      paint: painter(false),
      unicode: false,
    });
    expect(header).toMatch(/retry-run · p · running {2}0?0:05$/);
  });
});

describe('status during a retry delay', () => {
  it('says when the next attempt starts, and how the last one failed', () => {
    const table = formatProgressTable(
      'w',
      progress([
        unit({
          unit_id: 'a',
          status: 'RETRYING',
          error: 'exit 1',
          reason: { kind: 'retry-delay', nextAttempt: 2, retryAt: '2026-01-02T00:00:40.000Z' },
          why: 'attempt 2 starts at 2026-01-02T00:00:40.000Z',
        }),
      ]),
      NOW,
    );
    expect(table).toMatch(
      /a\s+RETRYING\s+1\s+attempt 2 starts at 2026-01-02T00:00:40.000Z \(in 30 s\); attempt 1 failed: exit 1/,
    );
  });
});
