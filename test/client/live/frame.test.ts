import { painter, plainWidth } from '../../../src/client/live/ansi';
import { renderFrame, type FrameOptions } from '../../../src/client/live/frame';
import { LiveDisplay } from '../../../src/client/live/live-display';
import type { RunView, UnitView } from '../../../src/client/live/run-view';
import type { UnitStatus } from '../../../src/plan/types';

const NOW = Date.parse('2026-01-01T00:01:00.000Z');

function unit(unitId: string, status: UnitStatus, note = '', startedAt: string | null = null): UnitView {
  const ended = !['PENDING', 'WAITING', 'RUNNING', 'RETRYING'].includes(status);
  return {
    unitId,
    status,
    attempts: startedAt === null ? 0 : 1,
    startedAt,
    finishedAt: ended && startedAt !== null ? '2026-01-01T00:00:50.000Z' : null,
    note,
    noteKind: note === '' ? 'none' : 'output',
  };
}

function view(units: UnitView[], state = 'running'): RunView {
  return { workflowId: 'fanout-demo-1234abcd', planName: 'demo', state, units };
}

const options = (overrides: Partial<FrameOptions> = {}): FrameOptions => ({
  columns: 100,
  rows: 40,
  nowMs: NOW,
  paint: painter(false),
  unicode: false,
  ...overrides,
});

describe('renderFrame', () => {
  it('shows each unit with its status, attempt, elapsed time and last output line', () => {
    const lines = renderFrame(
      view([
        unit('schema', 'SUCCEEDED', '', '2026-01-01T00:00:40.000Z'),
        unit('api', 'RUNNING', 'step 2/3: editing src/api', '2026-01-01T00:00:55.000Z'),
        unit('ui', 'PENDING', 'waiting for dependencies: api'),
      ]),
      options(),
    );
    expect(lines[0]).toBe('fanout-demo-1234abcd · demo · running  0:20');
    expect(lines[2]).toMatch(/^UNIT\s+STATUS\s+ATT\s+ELAPSED\s+LAST OUTPUT$/);
    expect(lines[3]).toMatch(/^schema\s+SUCCEEDED\s+1\s+0:10$/);
    expect(lines[4]).toMatch(/^api\s+RUNNING\s+1\s+0:05\s+step 2\/3: editing src\/api$/);
    expect(lines[5]).toMatch(/^ui\s+PENDING\s+-\s+waiting for dependencies: api$/);
  });

  it('fills the progress bar with the share of ended units and counts what runs', () => {
    const bar = renderFrame(
      view([unit('a', 'SUCCEEDED'), unit('b', 'FAILED'), unit('c', 'RUNNING'), unit('d', 'WAITING')]),
      options(),
    )[1];
    expect(bar).toMatch(/^#{20}-{20} {3}50% {2}2\/4 done · 1 running, 1 waiting, 1 failed$/);
  });

  it('reaches 100% once every unit has ended', () => {
    const bar = renderFrame(view([unit('a', 'SUCCEEDED'), unit('b', 'BLOCKED')], 'failed'), options())[1];
    expect(bar).toMatch(/^#{40} {2}100% {2}2\/2 done/);
  });

  it('never draws a line wider than the terminal, escape sequences included', () => {
    const long = 'x'.repeat(500);
    const lines = renderFrame(
      view([unit('a-very-long-unit-id-indeed', 'RUNNING', long, '2026-01-01T00:00:00Z')]),
      {
        ...options({ columns: 60, paint: painter(true), unicode: true }),
      },
    );
    for (const line of lines) expect(plainWidth(line)).toBeLessThanOrEqual(59);
    expect(lines[3]).toContain('…');
  });

  it('never draws more lines than the terminal has, collapsing ended units into a count', () => {
    const units = [
      ...Array.from({ length: 30 }, (_, i) => unit(`done-${i}`, 'SUCCEEDED')),
      unit('busy', 'RUNNING', 'working'),
      unit('broken', 'FAILED', 'exit 1'),
      unit('later', 'PENDING'),
    ];
    const lines = renderFrame(view(units), options({ rows: 12 }));
    expect(lines.length).toBeLessThanOrEqual(11);
    const table = lines.slice(3).join('\n');
    expect(table).toMatch(/^busy\s+RUNNING/m);
    expect(table).toMatch(/^broken\s+FAILED/m);
    expect(table).toMatch(/^later\s+PENDING/m);
    expect(lines.at(-1)).toBe('… 26 more: 26 succeeded');
  });

  it('shows every unit when there is room for them all', () => {
    const units = Array.from({ length: 8 }, (_, i) => unit(`u${i}`, 'SUCCEEDED'));
    expect(renderFrame(view(units), options({ rows: Number.POSITIVE_INFINITY }))).toHaveLength(3 + 8);
  });

  it('strips control sequences from agent output', () => {
    const lines = renderFrame(view([unit('a', 'RUNNING', '\u001b[31mred\u001b[0m\tdone\r')]), options());
    expect(lines[3]).toMatch(/\s+red done$/);
  });
});

describe('LiveDisplay', () => {
  it('redraws in place: moves up over the previous frame and clears below it', () => {
    const written: string[] = [];
    let frame = ['one', 'two'];
    const display = new LiveDisplay(
      { write: (text: string) => written.push(text), columns: 80, rows: 24 },
      () => frame,
    );
    display.draw();
    frame = ['three'];
    display.draw();
    display.draw(); // unchanged: nothing written
    display.finish(['final']);
    const draws = written.filter((text) => text.includes('\u001b[2K'));
    expect(draws).toHaveLength(3);
    expect(draws[0]).toBe('\r\u001b[2Kone\n\u001b[2Ktwo\n\u001b[J');
    expect(draws[1]).toBe('\u001b[2F\u001b[2Kthree\n\u001b[J');
    expect(draws[2]).toBe('\u001b[1F\u001b[2Kfinal\n\u001b[J');
  });
});
