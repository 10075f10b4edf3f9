/** `agent-fanout run <plan>`: validate, start the run, follow it, print the result (SPEC §6). */
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { GitRunInput } from '../../contracts/git';
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
import { refuseGitOnlyFlags, workspaceMode, type GitFlags } from '../git-mode/git-flags';
import { resolveGitRun } from '../git-mode/git-run-settings';
import { shortSha } from '../output/commit-text';
import { printWarnings } from './shared';

export { exitCodeFor } from '../run/attach';

export interface RunArgs extends RunTargetArgs, GitFlags {
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
  const mode = workspaceMode(args, loaded.plan.workspace);
  refuseGitOnlyFlags(args, mode);
  const plan: Plan = {
    ...loaded.plan,
    ...(maxWorkers === undefined ? {} : { maxWorkers }),
    ...(args.confinement === undefined ? {} : { confinement: args.confinement }),
    ...(args.workspace === undefined ? {} : { workspace: args.workspace }),
  };
  refuseOversizedInput({ plan, repo });
  const workflowId = args.id ?? defaultWorkflowId(plan.name, loaded.text, Date.now());
  const git = mode === 'git' ? await gitSettings(args, io, { repo, plan, workflowId }) : undefined;

  return withRunTarget(args, io, (target) =>
    startAndFollow(args, io, { plan, repo, target, workflowId, git }),
  );
}

/** Resolved before any server is reached: a refusal starts nothing (exit 2). */
async function gitSettings(
  args: RunArgs,
  io: CommandIo,
  { repo, plan, workflowId }: { repo: string; plan: Plan; workflowId: string },
): Promise<GitRunInput> {
  const settings = await resolveGitRun({
    repo,
    planName: plan.name,
    workflowId,
    idSource: args.id === undefined ? 'the workflow id' : '--id',
    ...(args.base === undefined ? {} : { base: args.base }),
    ...(args.branch === undefined ? {} : { branch: args.branch }),
    ...(args.into === undefined ? {} : { into: args.into }),
    keepFailed: args.keepFailed === true,
    now: new Date(),
  });
  if (settings.notice !== undefined) io.stderr.write(`${settings.notice}\n`);
  return settings.git;
}

interface StartInput {
  readonly plan: Plan;
  readonly repo: string;
  readonly target: RunTarget;
  readonly workflowId: string;
  readonly git: GitRunInput | undefined;
}

async function startAndFollow(args: RunArgs, io: CommandIo, input: StartInput): Promise<ExitCode> {
  const { plan, repo, target, workflowId, git } = input;
  const { client, connection } = target;
  const allowRestartClosed = args.allowRerun === true;
  const start = () =>
    startRun(client, {
      plan,
      repo,
      taskQueue: connection.taskQueue,
      workflowId,
      allowRestartClosed,
      ...(git === undefined ? {} : { git }),
    });
  // Git runs never write the checkout's files, so several may share it (SPEC §9): no hold (§8.6).
  const started = git === undefined ? startHoldingCheckout(client, repo, workflowId, start) : start();
  const handle = await started.catch(async (error: unknown) => {
    if (error instanceof WorkflowExecutionAlreadyStartedError)
      throw await duplicateRunError(client, workflowId);
    throw error;
  });
  if (!target.embedded) await warnWithoutWorkers(client, connection, io);
  const where = git === undefined ? '' : `, git workspaces from ${shortSha(git.base)} onto ${git.branch}`;
  return followOnTarget(target, {
    handle,
    workflowId,
    io,
    json: args.json === true,
    headline: `run ${workflowId}: ${plan.workUnits.length} units, max_workers ${plan.maxWorkers}${where}`,
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
