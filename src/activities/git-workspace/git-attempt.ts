/**
 * One attempt of a `workspace: git` unit (SPEC §9), on the worker host. `input.repo` is the source
 * checkout; the attempt runs the shared-mode attempt (`attemptIn`) in a working tree of its own,
 * made from its starting point, then turns the tree into an output commit, checks its area, copies
 * the evidence into the source checkout, sets the unit's ref (compare-and-swap) and removes the
 * tree. Crash safety: a try that finds the ref set answers from the recorded success; a try that
 * finds the working tree (the ref not yet set) adopts or reads its agent there, as in shared mode,
 * and its commit is the same commit (same tree, parent, message and identity).
 *
 * In a remote run (SPEC §10, `input.git.remote`) there is no checkout: the source is the worker's
 * bare clone of the remote (remote-attempt.ts), the tree and the evidence folder live under the
 * worker's work directory, the evidence is pushed to the unit's evidence ref and then the output
 * to its unit ref, and the success and an agent failure name the host that ran the attempt.
 */

import { CancelledFailure } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { realpath } from 'node:fs/promises';
import { isAgentFailureType, type AgentFailureDetails, type AgentFailureType } from '../../errors';
import type { AttemptDeps } from '../agent/attempt-deps';
import { cancellationLeavesAgentRunning } from '../agent/cancellation';
import { agentFailure } from '../agent/classify-outcome';
import { SymbolicLinkRefused } from '../containment/safe-write';
import type { AttemptInput, AttemptSuccess } from '../types';
import { attemptLogPath } from '../unit-files/namespace';
import { localEarlierState, recordedSuccess, refTaken, throwRecordedFailure } from './earlier-try';
import { copyEvidence } from './evidence-copy';
import { compareAndSwapRef, prepareWorktree, RefMoved, removeWorktree, startingPoint } from './git-plumbing';
import { gitScope, type GitScope } from './git-scope';
import { outsideArea, startConflict } from './messages';
import { commitUnitOutput } from './output-commit';
import { withPhaseHeartbeat } from './phase-heartbeat';
import { writeOutcome, type RecordedOutcome } from './recorded-outcome';
import {
  failureOnHost,
  fetchStartInputs,
  pushEvidence,
  pushUnitRef,
  remoteEarlierState,
  successOnHost,
} from './remote-attempt';
import { unreachableFailure } from './remote-clone';
import { pauseBeforeRefForTests } from './test-pause';

/** The shared-mode attempt, run with `repo` = the attempt's working tree (a real path). */
export type AttemptInTree = (workingTree: string) => Promise<AttemptSuccess>;

export async function runGitAttempt(
  deps: AttemptDeps,
  input: AttemptInput,
  attemptIn: AttemptInTree,
): Promise<AttemptSuccess> {
  const scope = await gitScope(deps, input);
  try {
    return successOnHost(scope, await attemptWithScope(scope, attemptIn));
  } catch (error) {
    throw failureOnHost(scope, unreachableFailure(error));
  }
}

async function attemptWithScope(scope: GitScope, attemptIn: AttemptInTree): Promise<AttemptSuccess> {
  const { input } = scope;
  const logPath = attemptLogPath(scope.inTree, input.attempt);
  const host = scope.remote?.host === undefined ? {} : { host: scope.remote.host };
  const phase = { logPath, startedAt: null, intervalMs: scope.deps.timing.heartbeatMs, ...host };
  // The first heartbeat goes before anything else: in a remote run it says which host holds the attempt.
  const preparing = { ...phase, phase: 'preparing' as const };
  const prepared = await withPhaseHeartbeat(scope.context, input, preparing, () => prepare(scope));
  if (prepared.kind === 'recorded') return prepared.success;
  let success: AttemptSuccess;
  try {
    success = await attemptIn(await realpath(scope.tree));
  } catch (error) {
    if (attemptIsOver(scope, error))
      await endWithoutOutput(scope, failureRecord(failureOnHost(scope, error)));
    throw error;
  }
  const collecting = { ...phase, phase: 'collecting' as const, startedAt: success.startedAt };
  return withPhaseHeartbeat(scope.context, input, collecting, () => keepOutput(scope, prepared.sha, success));
}

/**
 * What an earlier try left answers for this one (its recorded success or failure); else the
 * starting point (its inputs fetched from the remote first, in a remote run) and its working tree.
 */
async function prepare(
  scope: GitScope,
): Promise<{ kind: 'recorded'; success: AttemptSuccess } | { kind: 'start'; sha: string }> {
  const earlier =
    scope.remote === undefined ? await localEarlierState(scope) : await remoteEarlierState(scope);
  const recorded = (await recordedSuccess(scope, earlier)) ?? (await throwRecordedFailure(scope, earlier));
  if (recorded !== null) return { kind: 'recorded', success: recorded };
  if (scope.remote !== undefined) await fetchStartInputs(scope);
  const sha = await startOf(scope);
  await prepareWorktree(scope.source, sha, scope.tree);
  return { kind: 'start', sha };
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
    return failWithoutOutput(scope, success, 'OutsideArea', outsideArea(input.unit.unitId, outside));
  }
  const kept: AttemptSuccess = successOnHost(scope, {
    ...success,
    logPath: attemptLogPath(scope.evidence, input.attempt),
    git: { start, output, worktree: tree },
  });
  try {
    await copyEvidence(scope.evidenceBase, scope.inTree, scope.evidence, input.attempt);
    // Recorded before the ref moves: a try that finds the ref set always finds this too.
    await writeOutcome(scope.evidenceBase, scope.evidence.root, input.attempt, scope.owner, {
      outcome: 'succeeded',
      success: kept,
    });
  } catch (error) {
    // SPEC §8.4: a link on the way to the evidence folder fails the unit, as in shared mode.
    if (!(error instanceof SymbolicLinkRefused)) throw error;
    return failWithoutOutput(scope, success, 'SymbolicLinkWrite', error.message);
  }
  await pauseBeforeRefForTests({
    env: scope.deps.env,
    activityTry: scope.context.info.attempt,
    unitId: input.unit.unitId,
    attempt: input.attempt,
  });
  if (scope.remote === undefined) await setUnitRef(scope, output);
  else {
    // SPEC §10: the evidence ref first, so a unit ref on the remote always has its evidence there.
    await pushEvidence(scope);
    await pushUnitRef(scope, output);
  }
  await removeWorktree(source, tree);
  return kept;
}

/** An agent that succeeded by §4.2 whose work is not kept: the attempt fails (exit 1). */
async function failWithoutOutput(
  scope: GitScope,
  success: AttemptSuccess,
  type: Extract<AgentFailureType, 'OutsideArea' | 'SymbolicLinkWrite'>,
  message: string,
): Promise<never> {
  const times = {
    startedAt: success.startedAt,
    finishedAt: scope.iso(),
    ...(success.containment === undefined ? {} : { containment: success.containment }),
  };
  const observed = {
    ...(success.changes === undefined ? {} : { changes: success.changes }),
    ...(success.outOfBounds === undefined ? {} : { outOfBounds: success.outOfBounds }),
  };
  const failure = agentFailure(type, 1, message, times, observed);
  await endWithoutOutput(scope, failureRecord(failureOnHost(scope, failure)));
  throw failure;
}

async function setUnitRef(scope: GitScope, output: string): Promise<void> {
  try {
    await compareAndSwapRef(scope.source, scope.ref, output, null);
  } catch (error) {
    if (error instanceof RefMoved) throw refTaken(scope, error.actual ?? '(absent)');
    throw error;
  }
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
  const failure = error as Error & { type?: string; details?: unknown[] };
  const type = failure.type ?? failure.name;
  const details = failure.details?.[0] as AgentFailureDetails | undefined;
  return {
    outcome: 'failed',
    type,
    error: failure.message,
    ...(isAgentFailureType(type) && details !== undefined ? { details } : {}),
  };
}

/** An attempt that ended without output: its evidence and logs copied, its tree removed unless kept. */
async function endWithoutOutput(scope: GitScope, recorded: RecordedOutcome): Promise<void> {
  const { source, input } = scope;
  try {
    await copyEvidence(scope.evidenceBase, scope.inTree, scope.evidence, input.attempt);
    await writeOutcome(scope.evidenceBase, scope.evidence.root, input.attempt, scope.owner, recorded);
    if (scope.remote !== undefined) await pushEvidence(scope);
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
