/**
 * `retry` of a git run keeps its git settings (SPEC §9 "Retry"): the same base, `--into` and
 * `--keep-failed`; a new commit date, and a new branch named after the new run unless `--branch`
 * says otherwise. The old run's mode stays: an edited plan may not switch it.
 */
import { existsSync } from 'node:fs';
import type { GitRunInput } from '../../contracts/git';
import { resolveBase } from '../../git/base';
import type { Plan, WorkspaceMode } from '../../plan/types';
import { UsageError } from '../errors';
import { resolveGitRun, runIdentity, type GitRunSettings } from './git-run-settings';
import { defaultBranch } from './ref-names';
import { hostLossTimeoutMs } from './remote-flags';
import { resolveRemoteRun } from './remote-run-settings';

export interface RetryGitRequest {
  readonly oldWorkflowId: string;
  readonly repo: string;
  readonly plan: Plan;
  readonly workflowId: string;
  /** `retry --branch`. */
  readonly branch?: string;
  readonly now: Date;
}

/** The retry's plan in the old run's mode; refuses an edited plan that names the other one. */
export function planInRunMode(plan: Plan, old: GitRunInput | undefined, oldWorkflowId: string): Plan {
  const mode: WorkspaceMode = old === undefined ? 'shared' : 'git';
  if (plan.workspace !== undefined && plan.workspace !== mode) {
    throw new UsageError(
      `the edited plan says workspace: ${plan.workspace}, but run '${oldWorkflowId}' used ${mode === 'git' ? 'git workspaces' : 'the shared checkout'}; ` +
        `a retry keeps its run's mode: remove the key (or set workspace: ${mode}), or start a new run with \`agent-fanout run\``,
    );
  }
  return mode === 'git' ? { ...plan, workspace: 'git' } : plan;
}

/** Refuses `retry --branch` for a run of the shared checkout. */
export function refuseBranchWithoutGit(branch: string | undefined, oldWorkflowId: string): void {
  if (branch === undefined) return;
  throw new UsageError(
    `--branch applies only to git workspaces, and run '${oldWorkflowId}' used the shared checkout; leave it out`,
  );
}

/** The new run's git settings; checked against the checkout when it is on this host. */
export async function gitForRetry(old: GitRunInput, request: RetryGitRequest): Promise<GitRunSettings> {
  const { repo } = request;
  if (old.remote !== undefined) return remoteRetry(old, old.remote, request);
  if (!existsSync(repo)) {
    // Another host's checkout: the worker there finds out; nothing here can check the names.
    const branch = request.branch ?? defaultBranch(request.plan.name, request.workflowId);
    return { git: { ...old, branch, identity: runIdentity(request.now) } };
  }
  const base = await resolveBase(repo, old.base);
  if (base.kind !== 'resolved') {
    throw new UsageError(
      `the base ${old.base} of run '${request.oldWorkflowId}' is no longer a commit in ${repo}, so its units' commits cannot be reused; ` +
        'start a new run with `agent-fanout run --workspace git`',
    );
  }
  return resolveGitRun({
    repo,
    planName: request.plan.name,
    workflowId: request.workflowId,
    idSource: 'the new workflow id',
    base: old.base,
    ...(request.branch === undefined ? {} : { branch: request.branch }),
    ...(old.into === undefined ? {} : { into: old.into }),
    keepFailed: old.keepFailed,
    now: request.now,
  });
}

/**
 * A retry of a run on many hosts (SPEC §10) keeps its remote and host_loss_timeout; the names are
 * checked on the remote, from any machine. The old base SHA needs no push: the old run's refs keep
 * it on the remote.
 */
function remoteRetry(old: GitRunInput, remote: string, request: RetryGitRequest): Promise<GitRunSettings> {
  return resolveRemoteRun({
    remote,
    planName: request.plan.name,
    workflowId: request.workflowId,
    idSource: 'the new workflow id',
    base: old.base,
    ...(request.branch === undefined ? {} : { branch: request.branch }),
    ...(old.into === undefined ? {} : { into: old.into }),
    keepFailed: old.keepFailed,
    hostLossTimeoutMs: old.hostLossTimeoutMs ?? hostLossTimeoutMs(request.plan),
    now: request.now,
  });
}
