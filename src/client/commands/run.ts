/** `agent-fanout run <plan>`: validate, start the run, follow it, print the result (SPEC §6). */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { ConfinementMode, FanoutResult, Plan } from '../../plan/types';
import { PREFLIGHT_UNIT_ID } from '../../plan/types';
import { duplicateRunError } from '../run/duplicate-run';
import { PlanRejected } from '../errors';
import { refuseOversizedInput, startRun } from '../fanout-client';
import { checkWorkflowId, defaultWorkflowId } from '../run/ids';
import type { CommandIo, ExitCode } from '../io';
import { loadPlanFile } from '../plan-input/load-plan';
import { parseAgentCommandOption, parseMaxWorkersOption } from '../plan-input/options';
import { resolveRepo } from '../plan-input/repo-dir';
import type { RunTarget, RunTargetArgs } from '../connection/run-target';
import { followOnTarget, withRunTarget } from '../run/open-run';
import { startHoldingCheckout } from '../run/checkout-hold';
import { warnWithoutWorkers } from '../connection/task-queue-check';
import { printWarnings } from './shared';

export { exitCodeFor } from '../run/attach';

export interface RunArgs extends RunTargetArgs {
  readonly plan: string;
  readonly repo?: string;
  readonly json?: boolean;
  readonly id?: string;
  readonly agentCommand?: string;
  readonly maxWorkers?: string;
  /** `--confinement` (SPEC §8.1), over the plan's key; commander allows only the three modes. */
  readonly confinement?: ConfinementMode;
  /** Start even when a run with this id has ended (a run still going is never started twice). */
  readonly allowRerun?: boolean;
}

export async function run(args: RunArgs, io: CommandIo): Promise<ExitCode> {
  if (args.id !== undefined) checkWorkflowId(args.id, '--id');
  const agentCommand = parseAgentCommandOption(args.agentCommand);
  const maxWorkers = parseMaxWorkersOption(args.maxWorkers);
  const repo = resolveRepo(args.repo, io.cwd);
  const loaded = await loadPlanFile(args.plan, { cwd: io.cwd, agentCommand, repo }).catch(
    (error: unknown) => {
      if (error instanceof PlanRejected && args.json)
        io.stdout.write(`${JSON.stringify(rejectedResult(error.message), null, 2)}\n`);
      throw error;
    },
  );
  printWarnings(loaded.warnings, io);
  const plan = {
    ...loaded.plan,
    ...(maxWorkers === undefined ? {} : { maxWorkers }),
    ...(args.confinement === undefined ? {} : { confinement: args.confinement }),
  };
  refuseOversizedInput({ plan, repo });

  return withRunTarget(args, io, (target) =>
    startAndFollow(args, io, { plan, text: loaded.text, repo, target }),
  );
}

async function startAndFollow(
  args: RunArgs,
  io: CommandIo,
  { plan, text, repo, target }: { plan: Plan; text: string; repo: string; target: RunTarget },
): Promise<ExitCode> {
  const { client, connection } = target;
  const workflowId = args.id ?? defaultWorkflowId(plan.name, text, Date.now());
  const allowRestartClosed = args.allowRerun === true;
  const handle = await startHoldingCheckout(client, repo, workflowId, () =>
    startRun(client, { plan, repo, taskQueue: connection.taskQueue, workflowId, allowRestartClosed }),
  ).catch(async (error: unknown) => {
    if (error instanceof WorkflowExecutionAlreadyStartedError)
      throw await duplicateRunError(client, workflowId);
    throw error;
  });
  if (!target.embedded) await warnWithoutWorkers(client, connection, io);
  return followOnTarget(target, {
    handle,
    workflowId,
    io,
    json: args.json === true,
    headline: `run ${workflowId}: ${plan.workUnits.length} units, max_workers ${plan.maxWorkers}`,
    planName: plan.name,
    repo,
  });
}

/** SPEC §7.7: what `run --json` prints for a plan refused before anything started. */
function rejectedResult(message: string): FanoutResult {
  return {
    status: 'rejected',
    events: [{ type: 'worker_failed', unit_id: PREFLIGHT_UNIT_ID, exit_code: 2, error: message }],
    units: {},
  };
}
