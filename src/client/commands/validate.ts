/** `agent-fanout validate <plan>`: every preflight check of SPEC §2, and a summary; nothing runs. */
import { EXIT_REJECTED, PlanRejected } from '../errors';
import type { WorkspaceMode } from '../../plan/types';
import type { CommandIo, ExitCode } from '../io';
import { loadPlanFile } from '../plan-input/load-plan';
import { parseAgentCommandOption, parseMaxWorkersOption } from '../plan-input/options';
import { resolveRepo } from '../plan-input/repo-dir';
import { formatPlanSummary } from '../output/plan-summary';
import { acceptedPlanData, rejectedPlanData } from '../output/validate-json';
import { printWarnings } from './shared';

export interface ValidateArgs {
  readonly plan: string;
  /** JSON array, as typed. */
  readonly agentCommand?: string;
  /** As typed. */
  readonly maxWorkers?: string;
  /** The verdict as data on stdout (see `validate-json.ts`), exit 2 when the plan is refused. */
  readonly json?: boolean;
  /** `--confinement`: taken as `run` takes it; no preflight rule depends on it (SPEC §8.1). */
  readonly confinement?: string;
  /** The checkout whose symlinks the allowed directories are judged through (SPEC §8.5); default cwd. */
  readonly repo?: string;
  /** `--workspace`, over the plan's key: a git plan's summary predicts each unit's starting point. */
  readonly workspace?: WorkspaceMode;
}

/**
 * Exit 0 with a summary on stdout. A refused plan throws `PlanRejected` (exit 2, every problem
 * on stderr); with `--json` its problems go to stdout instead and the exit code is 2.
 */
export async function run(args: ValidateArgs, io: CommandIo): Promise<ExitCode> {
  const agentCommand = parseAgentCommandOption(args.agentCommand);
  const maxWorkers = parseMaxWorkersOption(args.maxWorkers);
  const repo = resolveRepo(args.repo, io.cwd);
  const loading = loadPlanFile(args.plan, { cwd: io.cwd, agentCommand, repo }).then((loaded) =>
    args.workspace === undefined
      ? loaded
      : { ...loaded, plan: { ...loaded.plan, workspace: args.workspace } },
  );
  if (args.json === true) {
    const verdict = await loading.then(
      (loaded) => ({ code: 0, data: acceptedPlanData(loaded.plan, loaded.warnings, maxWorkers) }),
      (error: unknown) => {
        if (error instanceof PlanRejected) return { code: EXIT_REJECTED, data: rejectedPlanData(error) };
        throw error;
      },
    );
    io.stdout.write(`${JSON.stringify(verdict.data, null, 2)}\n`);
    return verdict.code;
  }
  const loaded = await loading;
  printWarnings(loaded.warnings, io);
  io.stdout.write(
    formatPlanSummary({
      plan: loaded.plan,
      path: args.plan,
      maxWorkers,
      agentCommand,
      ...(args.workspace === undefined ? {} : { workspaceFlag: args.workspace }),
    }),
  );
  return 0;
}
