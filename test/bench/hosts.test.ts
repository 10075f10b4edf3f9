/** The `hosts` bench shape's plan and command line (the runs themselves: `npm run bench -- --shape hosts`). */
import { parseArgs } from '../../src/bench/args';
import { HOSTS_PLAN, hostsPlanValue } from '../../src/bench/hosts';
import { DEFAULT_SHAPES } from '../../src/bench/shapes';
import { validatePlanValue } from '../../src/plan/validate';

describe('the hosts bench shape', () => {
  it('is a valid plan of 12 units in three levels, max_workers 4', () => {
    const validation = validatePlanValue(hostsPlanValue(), { fileName: 'hosts.json' });
    if (!validation.ok) throw new Error(validation.message);
    const units = validation.plan.workUnits;
    expect(units.map((unit) => unit.unitId)).toEqual(
      ['a', 'b', 'c'].flatMap((level) => [1, 2, 3, 4].map((i) => `${level}${i}`)),
    );
    expect(units.filter((unit) => unit.dependencies.length === 0)).toHaveLength(4);
    expect(units.find((unit) => unit.unitId === 'b3')?.dependencies).toEqual(['a3']);
    expect(units.find((unit) => unit.unitId === 'c1')?.dependencies).toEqual(['b1', 'b2', 'b3', 'b4']);
    expect(validation.plan.maxWorkers).toBe(HOSTS_PLAN.maxWorkers);
  });

  it('runs with --shape hosts or --all, not by default', () => {
    expect(parseArgs(['--shape', 'hosts'])).toMatchObject({ shapes: ['hosts'] });
    const all = parseArgs(['--all']);
    expect(all !== 'help' && all.shapes).toContain('hosts');
    expect(DEFAULT_SHAPES).not.toContain('hosts');
  });
});
