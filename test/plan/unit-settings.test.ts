import { parseDuration } from '../../src/plan/duration';
import { resolveUnitSettings } from '../../src/plan/unit-settings';
import { testPlan, testUnit } from '../helpers/plan-factory';

const duration = (text: string) => parseDuration(text) ?? { ms: Number.NaN, text };

describe('resolveUnitSettings', () => {
  const plan = testPlan([], {
    agent: {
      command: ['agent', '{prompt_file}'],
      env: { SHARED: 'agent', COLOR: 'blue' },
      timeout: duration('2h'),
      idleTimeout: duration('30m'),
      grace: duration('1s'),
    },
    retry: { maxAttempts: 3, initialInterval: duration('10s'), backoff: 2, maxInterval: duration('10m') },
    evidence: { pattern: '*.md' },
  });

  it('takes every setting from the plan for a unit without overrides', () => {
    expect(resolveUnitSettings(plan, testUnit('a'))).toEqual({
      command: ['agent', '{prompt_file}'],
      env: { SHARED: 'agent', COLOR: 'blue' },
      timeout: duration('2h'),
      idleTimeout: duration('30m'),
      grace: duration('1s'),
      retry: plan.retry,
      evidencePattern: '*.md',
      confinement: 'off',
    });
  });

  it("prefers the unit's command, timeouts and env variables over the plan's", () => {
    const unit = testUnit('a', [], {
      command: ['own'],
      env: { COLOR: 'red' },
      timeout: duration('3s'),
      idleTimeout: duration('5s'),
    });
    expect(resolveUnitSettings(plan, unit)).toMatchObject({
      command: ['own'],
      env: { SHARED: 'agent', COLOR: 'red' },
      timeout: duration('3s'),
      idleTimeout: duration('5s'),
    });
  });

  it("overrides the plan's retry key by key (SPEC §7.3)", () => {
    const unit = testUnit('a', [], { retry: { maxAttempts: 5, maxInterval: duration('1m') } });
    expect(resolveUnitSettings(plan, unit).retry).toEqual({
      maxAttempts: 5,
      initialInterval: duration('10s'),
      backoff: 2,
      maxInterval: duration('1m'),
    });
  });

  it('refuses a unit that has no command anywhere, which validation never lets through', () => {
    const noCommand = testPlan([], { agent: { ...plan.agent, command: undefined } });
    expect(() => resolveUnitSettings(noCommand, testUnit('a'))).toThrow("Work unit 'a' has no command");
  });
});
