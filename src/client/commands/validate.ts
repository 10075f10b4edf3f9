/** `agent-fanout validate <plan>`: every preflight check of SPEC §2, and a summary; nothing runs. */
import type { CommandIo, ExitCode } from '../io';
import { loadPlanFile } from '../load-plan';
import { parseAgentCommandOption, parseMaxWorkersOption } from '../options';
import { formatPlanSummary } from '../plan-summary';
import { printWarnings } from './shared';

export interface ValidateArgs {
  readonly plan: string;
  /** JSON array, as typed. */
  readonly agentCommand?: string;
  /** As typed. */
  readonly maxWorkers?: string;
  /** `--confinement`: taken as `run` takes it; no preflight rule depends on it (SPEC §8.1). */
  readonly confinement?: string;
}

/** Exit 0 with a summary on stdout; a rejected plan throws `PlanRejected` (exit 2). */
export async function run(args: ValidateArgs, io: CommandIo): Promise<ExitCode> {
  const agentCommand = parseAgentCommandOption(args.agentCommand);
  const maxWorkers = parseMaxWorkersOption(args.maxWorkers);
  const loaded = await loadPlanFile(args.plan, { cwd: io.cwd, agentCommand });
  printWarnings(loaded.warnings, io);
  io.stdout.write(formatPlanSummary({ plan: loaded.plan, path: args.plan, maxWorkers, agentCommand }));
  return 0;
}
