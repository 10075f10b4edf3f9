/**
 * What one git attempt works with (SPEC §9, §10): the source repository, its working tree, its ref
 * and where its evidence goes, all derived from the activity input and the worker's environment.
 * In a remote run the source is the worker's bare clone of the remote, and the working tree and
 * the evidence live under the worker's work directory.
 */

import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { realpath } from 'node:fs/promises';
import { unitRef, type GitAttempt } from '../../contracts/git';
import { evidenceRef } from '../../contracts/hosts';
import { ownerOf } from '../agent/adoption';
import type { AttemptDeps } from '../agent/attempt-deps';
import type { AttemptOwner } from '../agent/attempt-record';
import type { AttemptInput } from '../types';
import { namespacePaths, type NamespacePaths } from '../unit-files/namespace';
import { evidencePaths, evidencePathsAt, remoteEvidenceDir } from './evidence-copy';
import { attemptWorktreePath, remoteClonePath, worktreeRoot } from './git-plumbing';

/** A remote run's side of the attempt (SPEC §10). */
export interface RemoteScope {
  readonly url: string;
  /** The worker's work directory: its clones, working trees and evidence folders. */
  readonly workdir: string;
  readonly evidenceRef: string;
  /** The worker host's id and own queue, when the worker said who it is. */
  readonly host?: { readonly id: string; readonly queue: string };
}

export interface GitScope {
  readonly deps: AttemptDeps;
  readonly input: AttemptInput;
  readonly git: GitAttempt;
  readonly context: Context;
  /** The source checkout, or in a remote run the worker's bare clone (made by the first step). */
  readonly source: string;
  readonly tree: string;
  readonly ref: string;
  /** The unit's namespace inside the working tree. */
  readonly inTree: NamespacePaths;
  /** Its copy under `<source>/.agent/runs/<workflow id>/<unit_id>/` (remote: `<workdir>/evidence/…`). */
  readonly evidence: NamespacePaths;
  /** The folder the evidence copy is written below without meeting a link: the source, or the workdir. */
  readonly evidenceBase: string;
  readonly iso: () => string;
  /** Who writes and may read its recorded outcome (an activity retry is the same owner). */
  readonly owner: AttemptOwner;
  readonly remote?: RemoteScope;
}

export async function gitScope(deps: AttemptDeps, input: AttemptInput): Promise<GitScope> {
  const git = input.git;
  if (git === undefined) throw new Error('runGitAttempt needs input.git (a workspace: git run)');
  const unitId = input.unit.unitId;
  const context = Context.current();
  const remote = git.remote === undefined ? undefined : remoteScope(deps, input, git.remote);
  const source =
    remote === undefined ? await realpath(input.repo) : remoteClonePath(remote.workdir, remote.url);
  const root = remote?.workdir ?? worktreeRoot(deps.env);
  const tree = workingTreePath(root, source, input);
  return {
    deps,
    input,
    git,
    context,
    source,
    tree,
    ref: unitRef(input.runId, unitId),
    inTree: namespacePaths(tree, input.namespaceRoot, unitId),
    evidence:
      remote === undefined
        ? evidencePaths(source, input.runId, unitId)
        : evidencePathsAt(remoteEvidenceDir(remote.workdir, input.runId, unitId)),
    evidenceBase: remote?.workdir ?? source,
    iso: () => new Date(deps.clock.now()).toISOString(),
    owner: ownerOfAttempt(context, input),
    ...(remote === undefined ? {} : { remote }),
  };
}

function remoteScope(deps: AttemptDeps, input: AttemptInput, url: string): RemoteScope {
  const host = deps.host;
  return {
    url,
    workdir: host?.workdir ?? worktreeRoot(deps.env),
    evidenceRef: evidenceRef(input.runId, input.unit.unitId),
    ...(host === undefined ? {} : { host: { id: host.id, queue: host.queue } }),
  };
}

/**
 * The activity's owner; in a remote run the owner key names the agent attempt whichever activity
 * follows it (the one on the host's own queue adopts what the shared-queue one started).
 */
function ownerOfAttempt(context: Context, input: AttemptInput): AttemptOwner {
  const owner = ownerOf(context.info);
  return input.ownerKey === undefined ? owner : { ...owner, activityId: input.ownerKey };
}

/** The attempt's tree folder; a root inside the checkout or $HOME is a setting to fix, never retried. */
function workingTreePath(root: string, source: string, input: AttemptInput): string {
  try {
    return attemptWorktreePath(root, source, input.runId, input.unit.unitId, input.attempt);
  } catch (error) {
    throw ApplicationFailure.create({
      message: (error as Error).message,
      type: 'WorktreeRootRefused',
      nonRetryable: true,
    });
  }
}
