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
import { parseAgentCommandOption, parseMaxWorkersOption, parsePrefetchOption } from '../plan-input/options';
import { UsageError } from '../errors';
import { resolveRepo } from '../plan-input/repo-dir';
import type { RunTarget, RunTargetArgs } from '../connection/run-target';
import { followOnTarget, withRunTarget } from '../run/open-run';
import { startHoldingCheckout } from '../run/checkout-hold';
import { warnWithoutWorkers } from '../connection/task-queue-check';
import { refuseGitOnlyFlags, workspaceMode, type GitFlags } from '../git-mode/git-flags';
import { resolveGitRun, type GitRunSettings } from '../git-mode/git-run-settings';
import {
  hostLossTimeoutMs,
  parseHostLossTimeout,
  refuseHostLossWithoutRemote,
} from '../git-mode/remote-flags';
import { normalizeRemote } from '../git-mode/remote-refs';
import { resolveRemoteRun, type RemoteRunSettings } from '../git-mode/remote-run-settings';
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
  /** `--prefetch <n>`: units that may start ahead of a free slot (shared runs). */
  readonly prefetch?: string;
  /** `--confinement` (SPEC §8.1), over the plan's key; commander allows only the three modes. */
  readonly confinement?: ConfinementMode;
  /** Start even when a run with this id has ended (a run still going is never started twice). */
  readonly allowRerun?: boolean;
}

export async function run(args: RunArgs, io: CommandIo): Promise<ExitCode> {
  if (args.id !== undefined) checkWorkflowId(args.id, '--id');
  const agentCommand = parseAgentCommandOption(args.agentCommand);
  const maxWorkers = parseMaxWorkersOption(args.maxWorkers);
  const prefetch = parsePrefetchOption(args.prefetch);
  refuseHostLossWithoutRemote(args);
  const hostLossTimeout = parseHostLossTimeout(args.hostLossTimeout);
  const remote = args.remote === undefined ? undefined : normalizeRemote(args.remote, io.cwd);
  // A remote run needs no checkout (SPEC §10): it uses one only when --repo names it.
  const repo = remote !== undefined && args.repo === undefined ? '' : resolveRepo(args.repo, io.cwd);
  const loaded = await loadPlanFile(args.plan, {
    cwd: io.cwd,
    agentCommand,
    ...(repo === '' ? {} : { repo }),
  }).catch((error: unknown) => {
    if (error instanceof PlanRejected && args.json)
      io.stdout.write(`${JSON.stringify(rejectedResult(error.message), null, 2)}\n`);
    throw error;
  });
  printWarnings(loaded.warnings, io);
  const mode = workspaceMode(args, loaded.plan.workspace);
  refuseGitOnlyFlags(args, mode);
  if (prefetch !== undefined && prefetch > 0 && mode === 'git') {
    throw new UsageError(
      '--prefetch applies to runs in the shared checkout only: a git-workspace unit starts in a working tree of its own. Leave --prefetch out, or run with --workspace shared.',
    );
  }
  const plan: Plan = {
    ...loaded.plan,
    ...(maxWorkers === undefined ? {} : { maxWorkers }),
    ...(args.confinement === undefined ? {} : { confinement: args.confinement }),
    ...(args.workspace === undefined ? {} : { workspace: args.workspace }),
    ...(hostLossTimeout === undefined ? {} : { hostLossTimeout }),
  };
  refuseOversizedInput({ plan, repo });
  const workflowId = args.id ?? defaultWorkflowId(plan.name, loaded.text, Date.now());
  const where = { repo, plan, workflowId };
  const settings: RemoteRunSettings | undefined =
    mode !== 'git'
      ? undefined
      : remote === undefined
        ? await gitSettings(args, io, where)
        : await remoteGitSettings(args, io, { ...where, remote });
  const git = settings?.git;
  const beforeStart = settings?.pushBase;

  return withRunTarget(args, io, (target) =>
    startAndFollow(args, io, { plan, repo, target, workflowId, git, beforeStart, prefetch }),
  );
}

/** Resolved before any server is reached: a refusal starts nothing (exit 2). */
async function gitSettings(
  args: RunArgs,
  io: CommandIo,
  { repo, plan, workflowId }: { repo: string; plan: Plan; workflowId: string },
): Promise<GitRunSettings> {
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
  return settings;
}

/** A run on many hosts (SPEC §10): names checked on the remote, the base pushed from a checkout. */
async function remoteGitSettings(
  args: RunArgs,
  io: CommandIo,
  { repo, plan, workflowId, remote }: { repo: string; plan: Plan; workflowId: string; remote: string },
): Promise<RemoteRunSettings> {
  const settings = await resolveRemoteRun({
    remote,
    ...(repo === '' ? {} : { checkout: repo }),
    planName: plan.name,
    workflowId,
    idSource: args.id === undefined ? 'the workflow id' : '--id',
    ...(args.base === undefined ? {} : { base: args.base }),
    ...(args.branch === undefined ? {} : { branch: args.branch }),
    ...(args.into === undefined ? {} : { into: args.into }),
    keepFailed: args.keepFailed === true,
    hostLossTimeoutMs: hostLossTimeoutMs(plan),
    now: new Date(),
  });
  if (settings.notice !== undefined) io.stderr.write(`${settings.notice}\n`);
  return settings;
}

interface StartInput {
  readonly plan: Plan;
  readonly repo: string;
  readonly target: RunTarget;
  readonly workflowId: string;
  readonly git: GitRunInput | undefined;
  /** Run once the server answers, before the run starts: a remote run's base push. */
  readonly beforeStart: (() => Promise<void>) | undefined;
  readonly prefetch: number | undefined;
}

async function startAndFollow(args: RunArgs, io: CommandIo, input: StartInput): Promise<ExitCode> {
  const { plan, repo, target, workflowId, git } = input;
  const { client, connection } = target;
  await input.beforeStart?.();
  const allowRestartClosed = args.allowRerun === true;
  const start = () =>
    startRun(client, {
      plan,
      repo,
      taskQueue: connection.taskQueue,
      workflowId,
      allowRestartClosed,
      ...(git === undefined ? {} : { git }),
      ...(input.prefetch === undefined ? {} : { prefetch: input.prefetch }),
    });
  // Git runs never write the checkout's files, so several may share it (SPEC §9): no hold (§8.6).
  const started = git === undefined ? startHoldingCheckout(client, repo, workflowId, start) : start();
  const handle = await started.catch(async (error: unknown) => {
    if (error instanceof WorkflowExecutionAlreadyStartedError)
      throw await duplicateRunError(client, workflowId);
    throw error;
  });
  if (!target.embedded) await warnWithoutWorkers(client, connection, io);
  const where =
    git === undefined
      ? ''
      : `, git workspaces from ${shortSha(git.base)} onto ${git.branch}` +
        (git.remote === undefined ? '' : ` on ${git.remote}`);
  return followOnTarget(target, {
    handle,
    workflowId,
    io,
    json: args.json === true,
    headline: `run ${workflowId}: ${plan.workUnits.length} units, max_workers ${plan.maxWorkers}${where}`,
    planName: plan.name,
    repo: repo === '' ? undefined : repo,
    ...(git?.remote === undefined ? {} : { remote: git.remote }),
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
