import { criticalPath, dependencyCount, predictWaves } from '../../src/plan/graph';
import { renderDot, renderGraph, renderMermaid } from '../../src/plan/graph-render';
import type { Plan, WorkUnit } from '../../src/plan/types';
import { testPlan, testUnit } from '../helpers/plan-factory';

const unit = (unitId: string, dependencies: string[] = [], extra: Partial<WorkUnit> = {}) =>
  testUnit(unitId, dependencies, extra);

describe('predictWaves', () => {
  it('launches independent units in code-point order, max_workers at a time', () => {
    const plan = testPlan(
      ['e', 'b', 'a', 'd', 'c'].map((id) => unit(id)),
      { maxWorkers: 2 },
    );
    expect(predictWaves(plan)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('orders ids by code point, not by locale or plan order', () => {
    const plan = testPlan(['b', '_x', 'B', '9', '10', '-y'].map((id) => unit(id)));
    expect(predictWaves(plan)).toEqual([['-y', '10', '9', 'B', '_x', 'b']]);
  });

  it('puts each link of a chain in its own wave', () => {
    expect(predictWaves(testPlan([unit('c', ['b']), unit('b', ['a']), unit('a')]))).toEqual([
      ['a'],
      ['b'],
      ['c'],
    ]);
  });

  it('starts the join of a diamond only after both middle units', () => {
    const plan = testPlan([unit('a'), unit('b', ['a']), unit('c', ['a']), unit('d', ['b', 'c'])]);
    expect(predictWaves(plan)).toEqual([['a'], ['b', 'c'], ['d']]);
  });

  it('refills each freed slot before handling the next completion, as the scheduler does', () => {
    // a's completion frees a slot for x at once; v and w become ready only with b's, and one slot is left.
    const plan = testPlan([unit('a'), unit('b'), unit('x', ['a']), unit('v', ['b']), unit('w', ['b'])], {
      maxWorkers: 2,
    });
    expect(predictWaves(plan)).toEqual([['a', 'b'], ['x', 'v'], ['w']]);
  });

  it('uses the max_workers it is given over the plan', () => {
    const plan = testPlan(
      ['a', 'b', 'c'].map((id) => unit(id)),
      { maxWorkers: 8 },
    );
    expect(predictWaves(plan, 1)).toEqual([['a'], ['b'], ['c']]);
  });

  it('keeps overlapping units apart under overlap: serialize, letting the next ready unit go ahead', () => {
    const plan = testPlan(
      [
        unit('a', [], { allowedDirectories: ['src'] }),
        unit('b', [], { allowedDirectories: ['src/x'] }),
        unit('c', [], { allowedDirectories: ['lib'] }),
      ],
      { overlap: 'serialize' },
    );
    expect(predictWaves(plan)).toEqual([['a', 'c'], ['b']]);
  });

  it('predicts no wave for an empty plan', () => {
    expect(predictWaves(testPlan([]))).toEqual([]);
  });
});

describe('criticalPath', () => {
  it('follows the longest dependency chain, first unit first', () => {
    const plan = testPlan([unit('a'), unit('b', ['a']), unit('c', ['b']), unit('x'), unit('y', ['x'])]);
    expect(criticalPath(plan)).toEqual(['a', 'b', 'c']);
  });

  it('breaks ties by the smallest unit id', () => {
    const plan = testPlan([unit('a'), unit('b'), unit('d', ['b', 'a']), unit('c', ['a'])]);
    expect(criticalPath(plan)).toEqual(['a', 'c']);
  });

  it('is empty for an empty plan and one unit long for independent units', () => {
    expect(criticalPath(testPlan([]))).toEqual([]);
    expect(criticalPath(testPlan([unit('z'), unit('y')]))).toEqual(['y']);
  });

  it('handles a chain of 20000 units without overflowing the stack', () => {
    const units = Array.from({ length: 20_000 }, (_, i) => unit(`u${i}`, i === 0 ? [] : [`u${i - 1}`]));
    expect(criticalPath(testPlan(units))).toHaveLength(20_000);
  });
});

describe('dependencyCount', () => {
  it('counts each distinct dependency edge once', () => {
    expect(dependencyCount(testPlan([unit('a'), unit('b', ['a', 'a']), unit('c', ['a', 'b'])]))).toBe(3);
  });
});

const diamond = (): Plan =>
  testPlan(
    [
      unit('api'),
      unit('-ui', ['api'], { description: 'Build the "UI" <fast>\nsecond line' }),
      unit('docs', ['api']),
      unit('join', ['-ui', 'docs']),
    ],
    { name: 'demo' },
  );

describe('renderMermaid', () => {
  const text = renderMermaid(diamond(), predictWaves(diamond()));

  it('draws a left-to-right flowchart with one subgraph per predicted wave', () => {
    expect(text).toMatch(/^%% Plan demo: 4 units, 3 predicted waves/);
    expect(text).toContain('\nflowchart LR\n');
    expect(text.match(/subgraph wave\d+\["Wave \d+"\]/g)).toEqual([
      'subgraph wave1["Wave 1"]',
      'subgraph wave2["Wave 2"]',
      'subgraph wave3["Wave 3"]',
    ]);
  });

  it('gives units plain node ids, labels them with id and first description line, and escapes quotes and brackets', () => {
    expect(text).toContain('u1["-ui<br/>Build the #34;UI#34; #60;fast#62;"]');
    expect(text).not.toContain('second line');
  });

  it('draws one edge from each dependency to its dependent', () => {
    expect(text.match(/ --> /g)).toHaveLength(4);
    expect(text).toContain('  u0 --> u1\n');
    expect(text).toContain('  u2 --> u3\n');
  });

  it('says so when the plan has no units', () => {
    expect(renderMermaid(testPlan([]), [])).toContain('empty["no work units"]');
  });
});

describe('renderDot', () => {
  const text = renderDot(diamond(), predictWaves(diamond()));

  it('draws a digraph with one cluster per predicted wave', () => {
    expect(text).toMatch(/^digraph "demo" \{\n/);
    expect(text.match(/subgraph cluster_wave_\d+/g)).toHaveLength(3);
    expect(text.trimEnd().endsWith('}')).toBe(true);
  });

  it('quotes ids and escapes quotes in labels', () => {
    expect(text).toContain('"-ui" [label="-ui\\nBuild the \\"UI\\" <fast>"];');
    expect(text).toContain('  "api" -> "-ui";');
  });

  it('is what renderGraph gives for the dot format', () => {
    expect(renderGraph(diamond(), predictWaves(diamond()), 'dot')).toBe(text);
  });
});
