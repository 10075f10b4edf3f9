/** The plan's `host_loss_timeout` key (SPEC §10): a duration like `timeout`, absent meaning 10m. */
import { planJsonSchema } from '../../src/plan/json-schema';
import { accepted, failure, goodUnit, validateObject } from './helpers/plan-files';

describe('the host_loss_timeout key', () => {
  it('is absent from the plan when the file does not say, which means the default', () => {
    expect(accepted(validateObject({ work_units: [goodUnit('a')] })).plan.hostLossTimeout).toBeUndefined();
  });

  it.each([
    ['90s', { ms: 90_000, text: '90s' }],
    ['2m', { ms: 120_000, text: '2m' }],
    [1500, { ms: 1_500, text: '1500ms' }],
  ])('takes %j as a duration', (value, duration) => {
    const plan = accepted(validateObject({ host_loss_timeout: value, work_units: [goodUnit('a')] })).plan;
    expect(plan.hostLossTimeout).toEqual(duration);
  });

  it('refuses a value that is not a duration, naming the field and how to write one', () => {
    expect(failure(validateObject({ host_loss_timeout: '10 minutes', work_units: [] })).message).toMatch(
      /^host_loss_timeout: "10 minutes" is not a duration; write it like 500ms, 30s, 5m or 2h, or as whole milliseconds$/,
    );
  });

  it('refuses 0 and anything past 7d, like timeout', () => {
    expect(failure(validateObject({ host_loss_timeout: '0s', work_units: [] })).message).toMatch(
      /^host_loss_timeout: must be longer than 0; write it like 500ms/,
    );
    expect(failure(validateObject({ host_loss_timeout: '8d', work_units: [] })).message).toBe(
      'host_loss_timeout must be at most 7d (got 8d)',
    );
  });

  it('reaches editors through the JSON Schema', () => {
    const schema = planJsonSchema() as {
      properties?: Record<string, { description?: string; anyOf?: unknown[] }>;
    };
    const key = schema.properties?.['host_loss_timeout'];
    expect(key?.description).toMatch(/^With --remote: how long an agent on a host that went silent/);
    expect(key?.anyOf).toHaveLength(2);
  });
});
