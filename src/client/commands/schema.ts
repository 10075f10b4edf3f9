/** `agent-fanout schema`: the plan's JSON Schema, for editors. */
import { planJsonSchema } from '../../plan/json-schema';
import type { CommandIo, ExitCode } from '../io';

export function run(_args: Record<string, never>, io: CommandIo): Promise<ExitCode> {
  io.stdout.write(`${JSON.stringify(planJsonSchema(), null, 2)}\n`);
  return Promise.resolve(0);
}
