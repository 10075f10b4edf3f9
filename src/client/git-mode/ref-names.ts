/**
 * Names a git run writes into the checkout: its branch (default `fanout/<plan>-<8 hex>`), the
 * `--into` branch, and the workflow id inside `refs/fanout/<id>/…` (SPEC §9). git itself judges them.
 */
import { createHash } from 'node:crypto';
import { runGit } from '../../git/run-git';
import { integrationRef } from '../../contracts/git';
import { UsageError } from '../errors';
import { planSlug } from '../run/ids';

/** `fanout/<slug of the plan name>-<first 8 hex of sha256(workflow id)>`. */
export function defaultBranch(planName: string, workflowId: string): string {
  const hash = createHash('sha256').update(workflowId).digest('hex').slice(0, 8);
  return `fanout/${planSlug(planName)}-${hash}`;
}

/** Refuses a name `git check-ref-format --branch` refuses, or one it would expand (`@{-1}`). */
export async function checkBranchName(repo: string, name: string, flag: string): Promise<void> {
  const checked = await runGit(['check-ref-format', '--branch', name], { cwd: repo, okCodes: [1, 128] });
  if (checked.code === 0 && checked.stdout.trim() === name) return;
  throw new UsageError(
    `${flag} '${name}' is not a usable branch name (git check-ref-format --branch refuses it); ` +
      `pass a plain branch name like fanout/my-change: no spaces, '..', '~', '^', ':', '?', '*', '[', '@{' or trailing '.lock'`,
  );
}

/** The workflow id names refs (`refs/fanout/<id>/…`), so it must be one ref component git accepts. */
export async function checkRefSafeWorkflowId(
  repo: string,
  workflowId: string,
  source: string,
): Promise<void> {
  const checked = workflowId.includes('/')
    ? { code: 1 }
    : await runGit(['check-ref-format', integrationRef(workflowId)], { cwd: repo, okCodes: [1, 128] });
  if (checked.code === 0) return;
  throw new UsageError(
    `${source} '${workflowId}' cannot name the run's git refs (refs/fanout/<id>/…); ` +
      `in git mode pass an id of letters, digits, '-', '_' and '.', without '/', '..' or a trailing '.lock'`,
  );
}

/** True when `refs/heads/<branch>` exists in the checkout. */
export async function branchExists(repo: string, branch: string): Promise<boolean> {
  const found = await runGit(['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], {
    cwd: repo,
    okCodes: [1],
  });
  return found.code === 0;
}

/** True when an earlier run under this workflow id left refs (`refs/fanout/<id>/…`) in the checkout. */
export async function runRefsExist(repo: string, workflowId: string): Promise<boolean> {
  const { stdout } = await runGit(
    ['for-each-ref', '--count=1', '--format=%(refname)', `refs/fanout/${workflowId}/`],
    {
      cwd: repo,
    },
  );
  return stdout.trim() !== '';
}
