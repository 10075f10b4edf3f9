import { ATTEMPT_LIMITS_MS, attemptDeadlines } from '../../src/plan/deadlines';

const ms = (value: number) => ({ ms: value, text: `${value}ms` });
const { timeout, grace } = ATTEMPT_LIMITS_MS;

describe('attemptDeadlines', () => {
  it.each([
    ['smallest timeout, no grace', timeout.min, grace.min],
    ['smallest timeout, largest grace', timeout.min, grace.max],
    ['largest timeout, no grace', timeout.max, grace.min],
    ['largest timeout, largest grace', timeout.max, grace.max],
    ['default 2h timeout and 2s grace', 7_200_000, 2_000],
  ])('orders follower, then supervisor, then activity for the %s', (_label, timeoutMs, graceMs) => {
    const deadlines = attemptDeadlines({ timeout: ms(timeoutMs), grace: ms(graceMs) });
    expect(deadlines.followerMs).toBe(timeoutMs);
    // The follower's stop (timeout, then up to grace) is over before the supervisor steps in.
    expect(deadlines.followerMs + graceMs).toBeLessThan(deadlines.supervisorMs);
    expect(deadlines.supervisorMs).toBeLessThan(deadlines.activityMs);
    expect(Number.isSafeInteger(deadlines.activityMs)).toBe(true);
  });

  it('keeps the margins the workers have always used', () => {
    expect(attemptDeadlines({ timeout: ms(60_000), grace: ms(5_000) })).toEqual({
      followerMs: 60_000,
      supervisorMs: 95_000,
      activityMs: 125_000,
    });
  });
});
