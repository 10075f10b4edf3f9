/**
 * What one git attempt works with (SPEC §9): the source checkout, its working tree, its ref and
 * where its evidence goes, all derived from the activity input and the worker's environment.
 */

import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { realpath } from 'node:fs/promises';
import { unitRef, type GitAttempt } from '../../contracts/git';
import { ownerOf } from '../agent/adoption';
import type { AttemptDeps } from '../agent/attempt-deps';
import type { AttemptOwner } from '../agent/attempt-record';
import type { AttemptInput } from '../types';
import { namespacePaths, type NamespacePaths } from '../unit-files/namespace';
import { evidencePaths } from './evidence-copy';
import { attemptWorktreePath, worktreeRoot } from './git-plumbing';

export interface GitScope {
  readonly deps: AttemptDeps;
  readonly input: AttemptInput;
  readonly git: GitAttempt;
  readonly context: Context;
  readonly source: string;
  readonly tree: string;
  readonly ref: string;
  /** The unit's namespace inside the working tree. */
  readonly inTree: NamespacePaths;
  /** Its copy under `<source>/.agent/runs/<workflow id>/<unit_id>/`. */
  readonly evidence: NamespacePaths;
  readonly iso: () => string;
  /** Who writes and may read its recorded outcome (an activity retry is the same owner). */
  readonly owner: AttemptOwner;
}

export async function gitScope(deps: AttemptDeps, input: AttemptInput): Promise<GitScope> {
  const git = input.git;
  if (git === undefined) throw new Error('runGitAttempt needs input.git (a workspace: git run)');
  const source = await realpath(input.repo);
  const unitId = input.unit.unitId;
  const tree = workingTreePath(deps, source, input);
  const context = Context.current();
  return {
    deps,
    input,
    git,
    context,
    source,
    tree,
    ref: unitRef(input.runId, unitId),
    inTree: namespacePaths(tree, input.namespaceRoot, unitId),
    evidence: evidencePaths(source, input.runId, unitId),
    iso: () => new Date(deps.clock.now()).toISOString(),
    owner: ownerOf(context.info),
  };
}

/** The attempt's tree folder; a root inside the checkout or $HOME is a setting to fix, never retried. */
function workingTreePath(deps: AttemptDeps, source: string, input: AttemptInput): string {
  try {
    return attemptWorktreePath(worktreeRoot(deps.env), source, input.runId, input.unit.unitId, input.attempt);
  } catch (error) {
    throw ApplicationFailure.create({
      message: (error as Error).message,
      type: 'WorktreeRootRefused',
      nonRetryable: true,
    });
  }
}
