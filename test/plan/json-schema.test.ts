import { planJsonSchema } from '../../src/plan/json-schema';

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  required?: string[];
  additionalProperties?: unknown;
  default?: unknown;
  anyOf?: SchemaNode[];
  pattern?: string;
}

describe('planJsonSchema', () => {
  const schema = planJsonSchema() as SchemaNode & { title?: string };
  const unit = schema.properties?.work_units?.items;

  it('describes a plan object that requires work_units and tolerates other top-level keys', () => {
    expect(schema.title).toBe('agent-fanout plan');
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(['work_units']);
    expect(schema.additionalProperties).toBeUndefined();
  });

  it('forbids unknown keys inside a unit and requires its id and description', () => {
    expect(unit?.additionalProperties).toBe(false);
    expect(unit?.required).toEqual(['unit_id', 'description']);
  });

  it('shows the defaults of SPEC §1 to editors', () => {
    expect(schema.properties?.max_workers?.default).toBe(8);
    expect(schema.properties?.on_failure?.default).toBe('cancel');
    expect(schema.properties?.namespace_root?.default).toBe('.agent/workers');
    expect(schema.properties?.agent?.properties?.timeout?.default).toBe('2h');
    expect(schema.properties?.retry?.properties?.max_interval?.default).toBe('10m');
  });

  it('accepts a duration as a pattern-checked string or whole milliseconds', () => {
    const timeout = unit?.properties?.timeout;
    expect(timeout?.anyOf?.map((option) => option.type)).toEqual(['string', 'integer']);
    expect(new RegExp(timeout?.anyOf?.[0]?.pattern ?? '^$').test('30s')).toBe(true);
  });
});
