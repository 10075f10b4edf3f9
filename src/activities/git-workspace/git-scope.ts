/**
 * What one git attempt works with (SPEC §9): the source checkout, its working tree, its ref and
 * where its evidence goes, all derived from the activity input and the worker's environment.
 */

import { Context } from '@temporalio/activity';
import { realpath } from 'node:fs/promises';
import { unitRef, type GitAttempt } from '../../contracts/git';
import type { AttemptDeps } from '../agent/attempt-deps';
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
}

export async function gitScope(deps: AttemptDeps, input: AttemptInput): Promise<GitScope> {
  const git = input.git;
  if (git === undefined) throw new Error('runGitAttempt needs input.git (a workspace: git run)');
  const source = await realpath(input.repo);
  const unitId = input.unit.unitId;
  const tree = attemptWorktreePath(worktreeRoot(deps.env), source, input.runId, unitId, input.attempt);
  return {
    deps,
    input,
    git,
    context: Context.current(),
    source,
    tree,
    ref: unitRef(input.runId, unitId),
    inTree: namespacePaths(tree, input.namespaceRoot, unitId),
    evidence: evidencePaths(source, input.runId, unitId),
    iso: () => new Date(deps.clock.now()).toISOString(),
  };
}
