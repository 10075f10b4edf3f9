/**
 * The client's half of a git-workspace run (SPEC §9): the base resolved to a SHA, the branch
 * named and checked, the commit identity fixed at the start, and one line about uncommitted
 * changes, which are not part of the run. Every refusal is a usage error (exit 2, nothing started).
 */
import type { CommitIdentity, GitRunInput } from '../../contracts/git';
import { resolveBase, uncommittedCount } from '../../git/base';
import { UsageError } from '../errors';
import { shortSha } from '../output/commit-text';
import {
  branchExists,
  checkBranchName,
  checkRefSafeWorkflowId,
  defaultBranch,
  runRefsExist,
} from './ref-names';

/** Who agent-fanout's commits are by; the date is the run's start, never the clock at commit time. */
export function runIdentity(now: Date): CommitIdentity {
  return { name: 'agent-fanout', email: 'agent-fanout@localhost', date: now.toISOString() };
}

export interface GitRunRequest {
  /** Real path of the checkout. */
  readonly repo: string;
  readonly planName: string;
  readonly workflowId: string;
  /** Where the workflow id came from, for messages: `--id`, `--new-id`, `the workflow id`. */
  readonly idSource: string;
  /** `--base`; HEAD when absent. A retry passes the old run's base SHA. */
  readonly base?: string;
  readonly branch?: string;
  readonly into?: string;
  readonly keepFailed: boolean;
  readonly now: Date;
}

export interface GitRunSettings {
  readonly git: GitRunInput;
  /** The line to print when the checkout has uncommitted changes. */
  readonly notice?: string;
}

export async function resolveGitRun(request: GitRunRequest): Promise<GitRunSettings> {
  const { repo } = request;
  await checkRefSafeWorkflowId(repo, request.workflowId, request.idSource);
  const base = await baseSha(repo, request.base);
  if (await runRefsExist(repo, request.workflowId)) {
    throw new UsageError(
      `an earlier run '${request.workflowId}' left its commits in ${repo} (refs/fanout/${request.workflowId}/); ` +
        `a git run needs an id of its own: pass another --id, or delete them first ` +
        `(git for-each-ref --format='delete %(refname)' refs/fanout/${request.workflowId}/ | git update-ref --stdin)`,
    );
  }
  const branch = request.branch ?? defaultBranch(request.planName, request.workflowId);
  await checkBranchName(repo, branch, '--branch');
  if (await branchExists(repo, branch)) {
    throw new UsageError(
      `branch '${branch}' already exists in ${repo}; a run ends on a branch of its own: pass --branch <new name>, ` +
        `or delete the old one first (git branch -D ${branch})`,
    );
  }
  if (request.into !== undefined) {
    await checkBranchName(repo, request.into, '--into');
    if (request.into === branch) {
      throw new UsageError(
        `--into '${request.into}' is the run's own branch; --into names another branch to move to the run's outcome, like main`,
      );
    }
  }
  const uncommitted = await uncommittedCount(repo, ['.agent']);
  return {
    git: {
      base,
      branch,
      ...(request.into === undefined ? {} : { into: request.into }),
      keepFailed: request.keepFailed,
      identity: runIdentity(request.now),
    },
    ...(uncommitted === 0 ? {} : { notice: uncommittedNotice(base, uncommitted, repo) }),
  };
}

export function uncommittedNotice(base: string, count: number, repo: string): string {
  return `git mode starts from ${shortSha(base)}; ${count} uncommitted change(s) in ${repo} are not part of this run.`;
}

export async function baseSha(repo: string, rev: string | undefined): Promise<string> {
  const answer = await resolveBase(repo, rev);
  switch (answer.kind) {
    case 'resolved':
      return answer.sha;
    case 'no-commit':
      throw new UsageError(
        `${repo} has no commit yet; git mode starts from a commit. Commit first, or use workspace: shared.`,
      );
    case 'not-a-repository':
      throw new UsageError(
        `${repo} is not a git repository; git mode starts from a commit of one. Run git init and commit there, or use workspace: shared.`,
      );
    case 'unknown-revision':
      throw new UsageError(
        `--base '${answer.rev}' is not a commit in ${repo}; pass a branch, tag or commit SHA (git log --oneline shows them)`,
      );
  }
}
