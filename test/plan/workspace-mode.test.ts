/** The plan's `workspace` key (SPEC §9): shared or git, absent meaning shared. */
import { planJsonSchema } from '../../src/plan/json-schema';
import { accepted, failure, goodUnit, validateObject } from './helpers/plan-files';

describe('the workspace key', () => {
  it('is absent from the plan when the file does not say, which means shared', () => {
    expect(accepted(validateObject({ work_units: [goodUnit('a')] })).plan.workspace).toBeUndefined();
  });

  it.each(['shared', 'git'] as const)('takes %s', (mode) => {
    const plan = accepted(validateObject({ workspace: mode, work_units: [goodUnit('a')] })).plan;
    expect(plan.workspace).toBe(mode);
  });

  it('refuses another value, naming the field and the modes', () => {
    expect(failure(validateObject({ workspace: 'worktree', work_units: [] })).message).toMatch(
      /^workspace: "worktree" is not allowed; use one of shared, git$/,
    );
  });

  it('refuses a value that is not a string the same way', () => {
    expect(failure(validateObject({ workspace: true, work_units: [] })).message).toMatch(
      /^workspace: .* use one of shared, git$/,
    );
  });

  it('reaches editors through the JSON Schema', () => {
    const schema = planJsonSchema() as { properties?: Record<string, { enum?: string[] }> };
    expect(schema.properties?.workspace?.enum).toEqual(['shared', 'git']);
  });
});
