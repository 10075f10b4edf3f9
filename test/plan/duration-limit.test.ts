/** SPEC §8.8: every plan duration is at most 7d, with the field named as in the other duration texts. */
import { accepted, failure, goodUnit, validateObject } from './helpers/plan-files';

describe('validatePlanText: durations are at most 7d (SPEC §8.8)', () => {
  it.each([
    [
      'plan timeout',
      { agent: { timeout: '999999999999999h' } },
      'agent.timeout must be at most 7d (got 999999999999999h)',
    ],
    [
      'plan idle_timeout',
      { agent: { idle_timeout: '169h' } },
      'agent.idle_timeout must be at most 7d (got 169h)',
    ],
    ['plan grace', { agent: { grace: '8d' } }, 'agent.grace must be at most 7d (got 8d)'],
    [
      'plan retry initial_interval',
      { retry: { initial_interval: '10081m' } },
      'retry.initial_interval must be at most 7d (got 10081m)',
    ],
    [
      'plan retry max_interval',
      { retry: { max_interval: 604800001 } },
      'retry.max_interval must be at most 7d (got 604800001)',
    ],
  ])('rejects a %s past 7d', (_name, keys, text) => {
    expect(failure(validateObject({ ...keys, work_units: [goodUnit('a')] })).message).toBe(text);
  });

  it.each([
    ['timeout', { timeout: '1000h' }, 'work_units[1].timeout must be at most 7d (got 1000h)'],
    ['idle_timeout', { idle_timeout: '8d' }, 'work_units[1].idle_timeout must be at most 7d (got 8d)'],
    [
      'retry initial_interval',
      { retry: { initial_interval: '605000s' } },
      'work_units[1].retry.initial_interval must be at most 7d (got 605000s)',
    ],
    [
      'retry max_interval',
      { retry: { max_interval: '99999999999999999999d' } },
      'work_units[1].retry.max_interval must be at most 7d (got 99999999999999999999d)',
    ],
  ])('rejects a unit %s past 7d', (_name, keys, text) => {
    expect(failure(validateObject({ work_units: [goodUnit('a'), goodUnit('b', keys)] })).message).toBe(text);
  });

  it('accepts exactly 7d, in days, hours or milliseconds', () => {
    const result = accepted(
      validateObject({
        agent: { timeout: '7d', idle_timeout: '168h' },
        retry: { max_interval: 604800000 },
        work_units: [goodUnit('a')],
      }),
    );
    expect(result.plan.agent.timeout).toEqual({ ms: 604_800_000, text: '7d' });
    expect(result.plan.agent.idleTimeout.ms).toBe(604_800_000);
    expect(result.plan.retry.maxInterval.ms).toBe(604_800_000);
  });
});
