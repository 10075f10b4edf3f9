import fc from 'fast-check';
import { compareCodePoints, directoriesOverlap } from '../../src/plan/overlap';
import type { SchedulableUnit, ScheduleStatus } from '../../src/plan/scheduler';
import { Scheduler, nextLaunches } from '../../src/plan/scheduler';
import type { OverlapMode } from '../../src/plan/types';

function unit(
  unitId: string,
  dependencies: string[] = [],
  allowedDirectories: string[] = [`src/${unitId}`],
): SchedulableUnit {
  return { unitId, dependencies, allowedDirectories };
}

/** A random acyclic plan: unit i may depend only on units before it; dirs from a small pool so overlaps happen. */
const planArbitrary = fc
  .integer({ min: 1, max: 14 })
  .chain((size) =>
    fc.tuple(
      fc.array(fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 3 }), {
        minLength: size,
        maxLength: size,
      }),
      fc.array(fc.subarray(['a', 'a/b', 'a/c', 'b', 'b/x', 'c', 'd/e/f', 'd']), {
        minLength: size,
        maxLength: size,
      }),
      fc.integer({ min: 1, max: 5 }),
      fc.constantFrom<OverlapMode>('reject', 'serialize'),
      fc.array(fc.nat(), { minLength: 40, maxLength: 40 }),
    ),
  )
  .map(([deps, dirs, maxWorkers, overlap, choices]) => {
    const ids = deps.map((_, i) => `u${String.fromCharCode(97 + ((i * 7) % 26))}${i}`);
    const units = ids.map((id, i) =>
      unit(
        id,
        (deps[i] ?? []).filter(() => i > 0).map((n) => ids[n % i] as string),
        (dirs[i] ?? []).length > 0 ? (dirs[i] as string[]) : [`own/${id}`],
      ),
    );
    return { units, maxWorkers, overlap, choices };
  });

describe('nextLaunches', () => {
  it('launches ready units in code-point order of unit_id, not plan order', () => {
    const units = ['b', '_x', 'B', '9', '10', '-y'].map((id) => unit(id));
    const launched = nextLaunches({ units, statuses: new Map(), maxWorkers: 10, overlap: 'reject' });
    expect(launched).toEqual(['-y', '10', '9', 'B', '_x', 'b']);
  });

  it('fills only the free slots', () => {
    const units = ['a', 'b', 'c', 'd'].map((id) => unit(id));
    const statuses = new Map<string, ScheduleStatus>([['a', 'running']]);
    expect(nextLaunches({ units, statuses, maxWorkers: 2, overlap: 'reject' })).toEqual(['b']);
  });

  it('holds a unit until every dependency succeeded', () => {
    const units = [unit('a'), unit('b', ['a']), unit('c', ['a', 'b'])];
    const statuses = new Map<string, ScheduleStatus>([['a', 'succeeded']]);
    expect(nextLaunches({ units, statuses, maxWorkers: 5, overlap: 'reject' })).toEqual(['b']);
  });

  it('lets the next ready unit go ahead of one that overlaps a running unit under serialize', () => {
    const units = [unit('a', [], ['src']), unit('b', [], ['src/x']), unit('c', [], ['lib'])];
    const statuses = new Map<string, ScheduleStatus>([['a', 'running']]);
    expect(nextLaunches({ units, statuses, maxWorkers: 3, overlap: 'serialize' })).toEqual(['c']);
  });

  it('never exceeds max_workers, never launches early, never runs overlapping units together under serialize', () => {
    fc.assert(
      fc.property(planArbitrary, ({ units, maxWorkers, overlap, choices }) => {
        const statuses = new Map<string, ScheduleStatus>();
        const byId = new Map(units.map((u) => [u.unitId, u]));
        for (let step = 0; step < choices.length; step += 1) {
          const launched = nextLaunches({ units, statuses, maxWorkers, overlap });
          for (const id of launched) {
            const deps = byId.get(id)?.dependencies ?? [];
            expect(deps.every((dep) => statuses.get(dep) === 'succeeded')).toBe(true);
            statuses.set(id, 'running');
          }
          const running = [...statuses].filter(([, s]) => s === 'running').map(([id]) => id);
          expect(running.length).toBeLessThanOrEqual(maxWorkers);
          if (overlap === 'serialize') {
            for (const a of running) {
              for (const b of running) {
                if (a === b) continue;
                const dirsA = byId.get(a)?.allowedDirectories ?? [];
                const dirsB = byId.get(b)?.allowedDirectories ?? [];
                expect(directoriesOverlap(dirsA, dirsB)).toBe(false);
              }
            }
          }
          if (running.length === 0) break;
          const finishing = running[(choices[step] ?? 0) % running.length] as string;
          statuses.set(finishing, (choices[step] ?? 0) % 5 === 0 ? 'done' : 'succeeded');
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('Scheduler', () => {
  it('makes the same decisions as nextLaunches for any order of completions', () => {
    fc.assert(
      fc.property(planArbitrary, ({ units, maxWorkers, overlap, choices }) => {
        const scheduler = new Scheduler(units, { maxWorkers, overlap });
        const statuses = new Map<string, ScheduleStatus>();
        for (let step = 0; step < choices.length; step += 1) {
          const expected = nextLaunches({ units, statuses, maxWorkers, overlap });
          expect(scheduler.launch()).toEqual(expected);
          for (const id of expected) statuses.set(id, 'running');
          expect(scheduler.pendingCount).toBe(scheduler.pendingUnits().length);
          const running = [...scheduler.running];
          if (running.length === 0) break;
          const choice = choices[step] ?? 0;
          const finishing = running[choice % running.length] as string;
          if (choice % 5 === 0) {
            scheduler.finishedWithoutSuccess(finishing);
            statuses.set(finishing, 'done');
          } else {
            scheduler.succeeded(finishing);
            statuses.set(finishing, 'succeeded');
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refills a freed slot with the smallest ready id', () => {
    const scheduler = new Scheduler([unit('a'), unit('b'), unit('c'), unit('d', ['a']), unit('e')], {
      maxWorkers: 2,
      overlap: 'reject',
    });
    expect(scheduler.launch()).toEqual(['a', 'b']);
    scheduler.succeeded('a');
    expect(scheduler.launch()).toEqual(['c']);
    scheduler.succeeded('b');
    expect(scheduler.launch()).toEqual(['d']);
  });

  it('says why a pending unit waits: dependencies, a slot, or an overlapping running unit', () => {
    const scheduler = new Scheduler(
      [
        unit('a', [], ['src']),
        unit('b', [], ['src/x']),
        unit('c', ['a'], ['lib/c']),
        unit('d', [], ['lib/d']),
      ],
      {
        maxWorkers: 2,
        overlap: 'serialize',
      },
    );
    expect(scheduler.launch()).toEqual(['a', 'd']);
    expect(scheduler.waitReason('c')).toEqual({ kind: 'dependencies', waitingFor: ['a'] });
    expect(scheduler.waitReason('b')).toEqual({ kind: 'overlap', unitId: 'a' });
    scheduler.succeeded('d');
    expect(scheduler.launch()).toEqual([]);
    expect(scheduler.waitReason('b')).toEqual({ kind: 'overlap', unitId: 'a' });
    scheduler.succeeded('a');
    expect(scheduler.launch()).toEqual(['b', 'c']);
    expect(scheduler.waitReason('b')).toBeUndefined();
  });

  it('reports a slot as the reason when the cap holds a ready unit', () => {
    const scheduler = new Scheduler([unit('a'), unit('b')], { maxWorkers: 1, overlap: 'reject' });
    scheduler.launch();
    expect(scheduler.waitReason('b')).toEqual({ kind: 'slot', running: 1, maxWorkers: 1 });
  });

  it('re-plans 10,000 units in time proportional to the ready set', () => {
    const units = Array.from({ length: 10_000 }, (_, i) => unit(`u${i}`, i >= 100 ? [`u${i - 100}`] : []));
    const scheduler = new Scheduler(units, { maxWorkers: 32, overlap: 'reject' });
    let launched = scheduler.launch();
    let done = 0;
    while (launched.length > 0 || scheduler.running.size > 0) {
      const next = [...scheduler.running][0] as string;
      scheduler.succeeded(next);
      done += 1;
      launched = scheduler.launch();
    }
    expect(done).toBe(10_000);
  });
});

describe('Scheduler.prefetch', () => {
  const config = { maxWorkers: 2, overlap: 'reject' as const };

  it('picks the next ready units after the launched ones, and launches never take them', () => {
    const scheduler = new Scheduler(
      ['e', 'a', 'd', 'b', 'c'].map((id) => unit(id)),
      config,
    );
    expect(scheduler.launch()).toEqual(['a', 'b']);
    expect(scheduler.prefetch(2)).toEqual(['c', 'd']);
    expect(scheduler.pendingCount).toBe(3);
    scheduler.succeeded('a');
    expect(scheduler.launch()).toEqual(['e']);
    expect(scheduler.waitReason('c')).toEqual({ kind: 'slot', running: 2, maxWorkers: 2 });
  });

  it('runs a handed-over unit in the slot its predecessor freed; a returned one is ready again, in order', () => {
    const scheduler = new Scheduler(
      ['a', 'b', 'c', 'd', 'e'].map((id) => unit(id)),
      config,
    );
    scheduler.launch();
    scheduler.prefetch(2);
    scheduler.succeeded('a');
    expect(scheduler.handedOver('c')).toBe(true);
    expect(scheduler.handedOver('c')).toBe(false);
    expect([...scheduler.running]).toEqual(['b', 'c']);
    expect(scheduler.launch()).toEqual([]);
    scheduler.returnPrefetched('d');
    scheduler.succeeded('b');
    expect(scheduler.launch()).toEqual(['d']);
    expect(scheduler.pendingUnits()).toEqual(['e']);
  });

  it('never prefetches past a pending unit whose dependencies are unmet, nor under serialize', () => {
    const units = [unit('a'), unit('b'), unit('c'), unit('d', ['a']), unit('e')];
    const scheduler = new Scheduler(units, { maxWorkers: 1, overlap: 'reject' });
    expect(scheduler.launch()).toEqual(['a']);
    // d may become ready when a succeeds and would then go before e.
    expect(scheduler.prefetch(4)).toEqual(['b', 'c']);
    const serialized = new Scheduler(units, { maxWorkers: 1, overlap: 'serialize' });
    serialized.launch();
    expect(serialized.prefetch(4)).toEqual([]);
  });

  it('prefetches only units no later completion can put behind another, and never exceeds max_workers', () => {
    fc.assert(
      fc.property(planArbitrary, fc.integer({ min: 1, max: 4 }), ({ units, maxWorkers, choices }, limit) => {
        const scheduler = new Scheduler(units, { maxWorkers, overlap: 'reject' });
        const succeeded = new Set<string>();
        for (let step = 0; step < choices.length; step += 1) {
          scheduler.launch();
          const picked = scheduler.prefetch(limit - scheduler.prefetched.size);
          const unready = units.filter(
            (u) =>
              scheduler.status(u.unitId) === 'pending' && !u.dependencies.every((dep) => succeeded.has(dep)),
          );
          for (const id of picked)
            for (const other of unready) expect(compareCodePoints(id, other.unitId)).toBeLessThan(0);
          expect(scheduler.running.size).toBeLessThanOrEqual(maxWorkers);
          const running = [...scheduler.running];
          if (running.length === 0) break;
          const choice = choices[step] ?? 0;
          const finishing = running[choice % running.length] as string;
          scheduler.succeeded(finishing);
          succeeded.add(finishing);
          // The finishing unit hands its slot to the first waiting unit.
          const first = [...scheduler.prefetched].sort(compareCodePoints)[0];
          if (first !== undefined) expect(scheduler.handedOver(first)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });
});
