/** The plan's JSON Schema, generated from the zod schema, for editors (`agent-fanout schema`). */
import { z } from 'zod';
import { planSchema } from './schema';

export function planJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(planSchema, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return {
    ...generated,
    title: 'agent-fanout plan',
    description:
      'A plan of AI coding-agent work units run over one shared checkout. Unknown top-level keys are ignored with a warning.',
  };
}
