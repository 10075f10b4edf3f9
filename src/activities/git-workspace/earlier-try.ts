/**
 * What an earlier try of the same git attempt left (SPEC §9 "Refs", §4.4): an activity retried
 * after its worker died answers from it instead of running the agent or committing again.
 */

import { ApplicationFailure } from '@temporalio/common';
import { lstat } from 'node:fs/promises';
import { isAgentFailureType, type AgentFailureDetails } from '../../errors';
import { agentFailure } from '../agent/classify-outcome';
import type { AttemptSuccess } from '../types';
import { readRef, removeWorktree } from './git-plumbing';
import type { GitScope } from './git-scope';
import { unitRefTaken } from './messages';
import { readOutcome, type RecordedOutcome } from './recorded-outcome';

/** What an earlier try left: the unit ref's value, and how to read the attempt's recorded outcome. */
export interface EarlierState {
  readonly unitRef: string | null;
  readonly recorded: () => Promise<RecordedOutcome | null>;
}

/** The unit ref in the source checkout, the outcome recorded beside its evidence copy. */
export async function localEarlierState(scope: GitScope): Promise<EarlierState> {
  return {
    unitRef: await readRef(scope.source, scope.ref),
    recorded: () => readOutcome(scope.evidence.root, scope.input.attempt, scope.owner),
  };
}

/** A try after the ref was set: the recorded success, nothing run or committed again. */
export async function recordedSuccess(
  scope: GitScope,
  earlier: EarlierState,
): Promise<AttemptSuccess | null> {
  const { source, ref, input } = scope;
  const actual = earlier.unitRef;
  if (actual === null) return null;
  const recorded = await earlier.recorded();
  const success = recorded?.outcome === 'succeeded' ? recorded.success : undefined;
  if (success?.git?.output !== actual) throw refTaken(scope, actual);
  scope.context.log.info('The unit ref is set already: answering with the recorded success', {
    unitId: input.unit.unitId,
    ref,
    output: actual,
  });
  await removeWorktree(source, scope.tree);
  return { ...success, adopted: true };
}

/**
 * A retried try whose earlier try failed and removed the working tree (its worker died before
 * answering): the recorded failure again, the agent not started a second time. Null otherwise.
 * In a remote run every try is an activity's first (the workflow places each one), and the owner
 * key names the agent attempt, so a recorded failure of that owner counts on any try.
 */
export async function throwRecordedFailure(scope: GitScope, earlier: EarlierState): Promise<null> {
  const firstTry = scope.remote === undefined && scope.context.info.attempt <= 1;
  if (firstTry || (await exists(scope.tree))) return null;
  const recorded = await earlier.recorded();
  if (recorded?.outcome !== 'failed' || recorded.details === undefined) return null;
  if (!isAgentFailureType(recorded.type)) return null;
  const { exitCode, error, startedAt, finishedAt, containment, changes, outOfBounds, host } =
    recorded.details;
  scope.context.log.info(
    'An earlier try of this attempt failed and removed its tree: answering with its failure',
    {
      unitId: scope.input.unit.unitId,
      error,
    },
  );
  const failure = agentFailure(
    recorded.type,
    exitCode,
    error,
    { startedAt, finishedAt, ...(containment === undefined ? {} : { containment }) },
    { ...(changes === undefined ? {} : { changes }), ...(outOfBounds === undefined ? {} : { outOfBounds }) },
  );
  throw host === undefined ? failure : failureWithHost(failure, host);
}

/** The agent failure with `host` in its details (SPEC §10: the host that ran the attempt). */
export function failureWithHost(failure: ApplicationFailure, host: string): ApplicationFailure {
  const details = failure.details?.[0] as AgentFailureDetails | undefined;
  if (details === undefined) return failure;
  return ApplicationFailure.create({
    message: failure.message,
    type: failure.type ?? undefined,
    nonRetryable: failure.nonRetryable === true,
    details: [{ ...details, host }],
  });
}

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false,
  );
}

/** The unit's ref holds a commit this attempt did not record: never retried. */
export function refTaken(scope: GitScope, actual: string): ApplicationFailure {
  return ApplicationFailure.create({
    message: unitRefTaken(scope.input.unit.unitId, scope.ref, actual),
    type: 'UnitRefTaken',
    nonRetryable: true,
  });
}
