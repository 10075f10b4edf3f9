/** `agent.writable` (SPEC §8.1): every agent may write there, so no one may own it. */
import { reviewPlanText } from '../../src/plan/review';
import { checkPlanRules } from '../../src/plan/rules';
import { testPlan, testUnit } from '../helpers/plan-factory';

function planWith(writable: string[]) {
  const base = testPlan([testUnit('api'), testUnit('web')]);
  return { ...base, agent: { ...base.agent, writable } };
}

describe('agent.writable', () => {
  it('accepts paths that belong to no unit', () => {
    expect(checkPlanRules(planWith(['tmp/cache', '.cache']))).toBeUndefined();
  });

  it.each([
    ['.git/hooks', "agent.writable '.git/hooks' is reserved"],
    ['.agent', "agent.writable '.agent' is reserved"],
    ['.', "agent.writable '.' is the whole repo"],
    ['src', "agent.writable 'src' overlaps unit 'api' edit area 'src/api'"],
    ['src/web/dist', "agent.writable 'src/web/dist' overlaps unit 'web' edit area 'src/web'"],
  ])('refuses %s, and the workflow records the same text', (path, start) => {
    expect(checkPlanRules(planWith([path]))).toMatch(
      new RegExp(`^${start.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
  });

  it('reports every bad entry at its place in the file', () => {
    const text = JSON.stringify({
      agent: { command: ['agent'], writable: ['tmp', '.git', 'src/a/x'] },
      work_units: [{ unit_id: 'a', description: 'a', allowed_directories: ['src/a'] }],
    });
    const review = reviewPlanText(text);
    expect(review.ok).toBe(false);
    if (review.ok) return;
    expect(review.problems.map((problem) => problem.path)).toEqual([
      ['agent', 'writable', 1],
      ['agent', 'writable', 2],
    ]);
  });
});
