/** `agent-fanout validate <plan>`: every preflight check of SPEC §2, and a summary; nothing runs. */
import type { CommandIo, ExitCode } from '../io';
import { loadPlanFile } from '../load-plan';
import { parseAgentCommandOption, parseMaxWorkersOption } from '../options';
import { formatPlanSummary } from '../plan-summary';
import { resolveRepo } from '../repo-dir';
import { printWarnings } from './shared';

export interface ValidateArgs {
  readonly plan: string;
  /** JSON array, as typed. */
  readonly agentCommand?: string;
  /** As typed. */
  readonly maxWorkers?: string;
  /** The checkout whose symlinks the allowed directories are judged through (SPEC §8.5); default cwd. */
  readonly repo?: string;
}

/** Exit 0 with a summary on stdout; a rejected plan throws `PlanRejected` (exit 2). */
export async function run(args: ValidateArgs, io: CommandIo): Promise<ExitCode> {
  const agentCommand = parseAgentCommandOption(args.agentCommand);
  const maxWorkers = parseMaxWorkersOption(args.maxWorkers);
  const repo = resolveRepo(args.repo, io.cwd);
  const loaded = await loadPlanFile(args.plan, { cwd: io.cwd, agentCommand, repo });
  printWarnings(loaded.warnings, io);
  io.stdout.write(formatPlanSummary({ plan: loaded.plan, path: args.plan, maxWorkers, agentCommand }));
  return 0;
}
