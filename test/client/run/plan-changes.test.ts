/** comparePlans: which units of an edited plan may reuse an earlier success (`retry --plan`). */
import { comparePlans, describePlanChanges } from '../../../src/client/run/plan-changes';
import { duration, testPlan, testUnit } from '../../helpers/plan-factory';

const before = testPlan([testUnit('a'), testUnit('b', ['a']), testUnit('c'), testUnit('x')]);

describe('comparePlans', () => {
  it('finds changed, new and removed units, and reruns the dependents of a changed unit', () => {
    const after = testPlan([
      testUnit('a', [], { description: 'Work on a, better.' }),
      testUnit('b', ['a']),
      testUnit('c'),
      testUnit('d'),
    ]);
    const changes = comparePlans(before, after);
    expect(changes).toMatchObject({
      changed: ['a'],
      added: ['d'],
      removed: ['x'],
      dependentsOfChanged: ['b'],
    });
    expect([...changes.rerun].sort()).toEqual(['a', 'b', 'd']);
    expect(describePlanChanges(changes)).toBe(
      'plan changes: 1 changed (a), 1 new (d), 1 removed (x), 1 run again after a changed dependency (b); every other unit that succeeded is reused',
    );
  });

  it('counts a different resolved command or environment as a change, through agent.command and agent.env too', () => {
    const agent = { ...before.agent, env: { TOKEN: 'new' } };
    const viaPlan = comparePlans(before, { ...before, agent });
    expect(viaPlan.changed).toEqual(['a', 'b', 'c', 'x']);
    const viaUnit = comparePlans(
      before,
      testPlan([
        testUnit('a', [], { command: ['other'] }),
        testUnit('b', ['a']),
        testUnit('c'),
        testUnit('x'),
      ]),
    );
    expect(viaUnit.changed).toEqual(['a']);
  });

  it('does not count limits, scheduling keys or the order of directories and dependencies', () => {
    const after = testPlan(
      [
        testUnit('a', [], { timeout: duration(60_000, '1m'), allowedDirectories: ['src/a'] }),
        testUnit('b', ['a']),
        testUnit('c'),
        testUnit('x'),
      ],
      { name: 'renamed', maxWorkers: 1, onFailure: 'continue' },
    );
    expect(comparePlans(before, after).rerun.size).toBe(0);
  });
});
