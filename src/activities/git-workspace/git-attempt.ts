/**
 * One attempt of a `workspace: git` unit (SPEC §9), on the worker host. `input.repo` is the source
 * checkout; the attempt runs the shared-mode attempt (`attemptIn`) in a working tree of its own,
 * made from its starting point, then turns the tree into an output commit, checks its area, copies
 * the evidence into the source checkout, sets the unit's ref (compare-and-swap) and removes the
 * tree. Crash safety: a try that finds the ref set answers from the recorded success; a try that
 * finds the working tree (the ref not yet set) adopts or reads its agent there, as in shared mode,
 * and its commit is the same commit (same tree, parent, message and identity).
 */

import { CancelledFailure, Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { realpath } from 'node:fs/promises';
import { unitRef, type GitAttempt } from '../../contracts/git';
import { isAgentFailureType } from '../../errors';
import type { AttemptDeps } from '../agent/attempt-deps';
import { cancellationLeavesAgentRunning } from '../agent/cancellation';
import { agentFailure } from '../agent/classify-outcome';
import type { AttemptInput, AttemptSuccess } from '../types';
import { attemptLogPath, namespacePaths, type NamespacePaths } from '../unit-files/namespace';
import { copyEvidence, evidencePaths } from './evidence-copy';
import {
  attemptWorktreePath,
  compareAndSwapRef,
  prepareWorktree,
  readRef,
  RefMoved,
  removeWorktree,
  startingPoint,
  worktreeRoot,
} from './git-plumbing';
import { outsideArea, startConflict, unitRefTaken } from './messages';
import { commitUnitOutput } from './output-commit';
import { withPhaseHeartbeat } from './phase-heartbeat';
import { readRecordedSuccess, writeOutcome, type RecordedOutcome } from './recorded-outcome';
import { pauseBeforeRefForTests } from './test-pause';

/** The shared-mode attempt, run with `repo` = the attempt's working tree (a real path). */
export type AttemptInTree = (workingTree: string) => Promise<AttemptSuccess>;

interface GitScope {
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

export async function runGitAttempt(
  deps: AttemptDeps,
  input: AttemptInput,
  attemptIn: AttemptInTree,
): Promise<AttemptSuccess> {
  const scope = await gitScope(deps, input);
  const recorded = await recordedSuccess(scope);
  if (recorded !== null) return recorded;
  const logPath = attemptLogPath(scope.inTree, input.attempt);
  const phase = { logPath, startedAt: null, intervalMs: deps.timing.heartbeatMs };
  const start = await withPhaseHeartbeat(scope.context, input, { ...phase, phase: 'preparing' }, async () => {
    const sha = await startOf(scope);
    await prepareWorktree(scope.source, sha, scope.tree);
    return sha;
  });
  let success: AttemptSuccess;
  try {
    success = await attemptIn(await realpath(scope.tree));
  } catch (error) {
    if (attemptIsOver(scope, error)) await endWithoutOutput(scope, failureRecord(error));
    throw error;
  }
  const collecting = { ...phase, phase: 'collecting' as const, startedAt: success.startedAt };
  return withPhaseHeartbeat(scope.context, input, collecting, () => keepOutput(scope, start, success));
}

async function gitScope(deps: AttemptDeps, input: AttemptInput): Promise<GitScope> {
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

/** A try after the ref was set: the recorded success, nothing run or committed again. */
async function recordedSuccess(scope: GitScope): Promise<AttemptSuccess | null> {
  const { source, ref, input } = scope;
  const actual = await readRef(source, ref);
  if (actual === null) return null;
  const success = await readRecordedSuccess(scope.evidence.root, input.attempt);
  if (success?.git?.output !== actual) throw refTaken(scope, actual);
  scope.context.log.info('The unit ref is set already: answering with the recorded success', {
    unitId: input.unit.unitId,
    ref,
    output: actual,
  });
  await removeWorktree(source, scope.tree);
  return { ...success, adopted: true };
}

/** The starting point, or the SPEC §9 failure when merging it conflicts (never retried). */
async function startOf(scope: GitScope): Promise<string> {
  const { source, git, input } = scope;
  const answer = await startingPoint(source, git.base, git.merges, git.identity);
  if (answer.kind === 'ok') return answer.sha;
  const message = startConflict(input.unit.unitId, answer.units, answer.paths);
  throw agentFailure('StartConflict', 1, message, { startedAt: null, finishedAt: scope.iso() });
}

/** Commit, enforcement, evidence, ref, removal: what a §4.2 success becomes in git mode. */
async function keepOutput(scope: GitScope, start: string, success: AttemptSuccess): Promise<AttemptSuccess> {
  const { source, input, tree } = scope;
  const { output, outside } = await commitUnitOutput(source, tree, start, input, scope.git.identity);
  if (outside.length > 0) {
    const message = outsideArea(input.unit.unitId, outside);
    const times = {
      startedAt: success.startedAt,
      finishedAt: scope.iso(),
      ...(success.containment === undefined ? {} : { containment: success.containment }),
    };
    const observed = {
      ...(success.changes === undefined ? {} : { changes: success.changes }),
      ...(success.outOfBounds === undefined ? {} : { outOfBounds: success.outOfBounds }),
    };
    await endWithoutOutput(scope, { outcome: 'failed', type: 'OutsideArea', error: message });
    throw agentFailure('OutsideArea', 1, message, times, observed);
  }
  const kept: AttemptSuccess = {
    ...success,
    logPath: attemptLogPath(scope.evidence, input.attempt),
    git: { start, output, worktree: tree },
  };
  await copyEvidence(source, scope.inTree, scope.evidence, input.attempt);
  // Recorded before the ref moves: a try that finds the ref set always finds this too.
  await writeOutcome(source, scope.evidence.root, input.attempt, { outcome: 'succeeded', success: kept });
  await pauseBeforeRefForTests({
    env: scope.deps.env,
    activityTry: scope.context.info.attempt,
    unitId: input.unit.unitId,
    attempt: input.attempt,
  });
  await setUnitRef(scope, output);
  await removeWorktree(source, tree);
  return kept;
}

async function setUnitRef(scope: GitScope, output: string): Promise<void> {
  try {
    await compareAndSwapRef(scope.source, scope.ref, output, null);
  } catch (error) {
    if (error instanceof RefMoved) throw refTaken(scope, error.actual ?? '(absent)');
    throw error;
  }
}

function refTaken(scope: GitScope, actual: string): ApplicationFailure {
  return ApplicationFailure.create({
    message: unitRefTaken(scope.input.unit.unitId, scope.ref, actual),
    type: 'UnitRefTaken',
    nonRetryable: true,
  });
}

/**
 * True when the attempt ended (an agent failure, or a cancellation that stopped the agent); false
 * for a try that ends while its attempt goes on (the agent left running, a worker fault): then
 * the working tree stays for the next try.
 */
function attemptIsOver(scope: GitScope, error: unknown): boolean {
  if (error instanceof ApplicationFailure) return isAgentFailureType(error.type);
  return error instanceof CancelledFailure && !cancellationLeavesAgentRunning(scope.context);
}

function failureRecord(error: unknown): RecordedOutcome {
  const failure = error as Error & { type?: string };
  return { outcome: 'failed', type: failure.type ?? failure.name, error: failure.message };
}

/** An attempt that ended without output: its evidence and logs copied, its tree removed unless kept. */
async function endWithoutOutput(scope: GitScope, recorded: RecordedOutcome): Promise<void> {
  const { source, input } = scope;
  try {
    await copyEvidence(source, scope.inTree, scope.evidence, input.attempt);
    await writeOutcome(source, scope.evidence.root, input.attempt, recorded);
  } catch (error) {
    // The failure the attempt ends with matters more than its copy; say why the copy is missing.
    scope.context.log.warn('Could not copy the evidence of a failed git attempt', {
      unitId: input.unit.unitId,
      error: (error as Error).message,
    });
  }
  if (scope.git.keepFailed) {
    scope.context.log.info('Keeping the failed attempt’s working tree (--keep-failed)', { tree: scope.tree });
    return;
  }
  await removeWorktree(source, scope.tree);
}
