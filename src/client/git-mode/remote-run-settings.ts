/**
 * The client's half of a run with `--remote` (SPEC §10): the run's refs and branch live on the
 * remote, so the names are checked there. With a checkout (`--repo`) the base resolves in it as in
 * single-host git mode and is pushed to `refs/fanout/<id>/base` for the workers to fetch (just
 * before the run starts); without
 * one `git ls-remote` resolves `--base` (default HEAD). Every refusal is a usage error (exit 2,
 * nothing started).
 */
import { tmpdir } from 'node:os';
import { uncommittedCount } from '../../git/base';
import { baseRef } from '../../contracts/hosts';
import { UsageError } from '../errors';
import {
  baseSha,
  runIdentity,
  uncommittedNotice,
  type GitRunRequest,
  type GitRunSettings,
} from './git-run-settings';
import { checkBranchName, checkRefSafeWorkflowId, defaultBranch } from './ref-names';
import { listRemoteRefs, pushRef, remoteBaseSha } from './remote-refs';

/** A git run's request (git-run-settings.ts) with a remote instead of a required checkout. */
export interface RemoteRunRequest extends Omit<GitRunRequest, 'repo' | 'base'> {
  /** `--remote`, made absolute when it is a local path (remote-refs.ts `normalizeRemote`). */
  readonly remote: string;
  /** Real path of `--repo` when given; a remote run needs no checkout. */
  readonly checkout?: string;
  /** `--base`; HEAD (of the checkout, else of the remote) when absent. */
  readonly base?: string;
  readonly hostLossTimeoutMs: number;
}

export interface RemoteRunSettings extends GitRunSettings {
  /**
   * Pushes the checkout's base to `refs/fanout/<id>/base` on the remote; called just before the
   * run starts, so a refusal (or a server that does not answer) leaves the remote as it was.
   */
  readonly pushBase?: () => Promise<void>;
}

export async function resolveRemoteRun(request: RemoteRunRequest): Promise<RemoteRunSettings> {
  const { remote, workflowId } = request;
  const where = request.checkout ?? tmpdir();
  await checkRefSafeWorkflowId(where, workflowId, request.idSource);
  const branch = request.branch ?? defaultBranch(request.planName, workflowId);
  await checkBranchName(where, branch, '--branch');
  if (request.into !== undefined) {
    await checkBranchName(where, request.into, '--into');
    if (request.into === branch) {
      throw new UsageError(
        `--into '${request.into}' is the run's own branch; --into names another branch to move to the run's outcome, like main`,
      );
    }
  }
  const refs = await listRemoteRefs(remote, [`refs/heads/${branch}`, `refs/fanout/${workflowId}/*`]);
  const base =
    request.checkout === undefined
      ? await remoteBaseSha(remote, request.base)
      : await baseSha(request.checkout, request.base);
  refuseTakenNames(request, refs, branch, base);
  const { checkout } = request;
  const pushBase =
    checkout === undefined || refs.get(baseRef(workflowId)) === base
      ? undefined
      : () => pushRef(checkout, remote, base, baseRef(workflowId));
  const uncommitted = checkout === undefined ? 0 : await uncommittedCount(checkout, ['.agent']);
  return {
    git: {
      base,
      branch,
      ...(request.into === undefined ? {} : { into: request.into }),
      keepFailed: request.keepFailed,
      identity: runIdentity(request.now),
      remote,
      hostLossTimeoutMs: request.hostLossTimeoutMs,
    },
    ...(uncommitted === 0 || checkout === undefined
      ? {}
      : { notice: uncommittedNotice(base, uncommitted, checkout) }),
    ...(pushBase === undefined ? {} : { pushBase }),
  };
}

/**
 * The branch must be new on the remote, and so must the run's refs: only a base ref this very run
 * pushed (a start that failed after it) may already be there.
 */
function refuseTakenNames(
  request: RemoteRunRequest,
  refs: ReadonlyMap<string, string>,
  branch: string,
  base: string,
): void {
  const { remote, workflowId } = request;
  if (refs.has(`refs/heads/${branch}`)) {
    throw new UsageError(
      `branch '${branch}' already exists on the remote ${remote}; a run ends on a branch of its own: pass --branch <new name>, ` +
        `or delete the old one there first (git push ${remote} --delete ${branch})`,
    );
  }
  const earlier = [...refs.entries()].filter(
    ([name, sha]) =>
      name.startsWith(`refs/fanout/${workflowId}/`) && !(name === baseRef(workflowId) && sha === base),
  );
  if (earlier.length > 0) {
    throw new UsageError(
      `an earlier run '${workflowId}' left its refs on the remote ${remote} (refs/fanout/${workflowId}/); ` +
        `a git run needs an id of its own: pass another --id, or delete them there first ` +
        `(git push ${remote} --delete ${earlier.map(([name]) => name).join(' ')})`,
    );
  }
}
