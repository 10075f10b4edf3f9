/**
 * An attempt of a prefetching run (slot-handover.ts): a prefetched first attempt waits on this
 * worker for a slot; every attempt holds its slot while it runs, hands it over when it succeeds,
 * and closes the run's slots when its failure stops the run.
 */

import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  NEVER_RETRIED,
  SLOT_NOT_HANDED_OVER,
  isAgentFailureType,
  type AgentFailureDetails,
} from '../../errors';
import type { AttemptInput, AttemptSuccess, SlotHandover } from '../types';
import { preparingHeartbeat, sendAgentHeartbeat } from './heartbeat';
import { ownerOf } from './adoption';
import { readAttemptRecord, sameOwner, type AttemptOwner } from './attempt-record';
import { readFileNoFollow, writeFileNoFollow } from '../containment/safe-write';
import { cancellationOf, cancellationLeavesAgentRunning } from './cancellation';
import { closeSlots, handOverSlot, holdSlot, waitForSlot } from './slot-handover';

export async function runPrefetchingAttempt(
  context: Context,
  input: AttemptInput & { readonly handover: SlotHandover },
  recordPath: string,
  attempt: () => Promise<AttemptSuccess>,
): Promise<AttemptSuccess> {
  const execution = context.info.workflowExecution;
  const runKey = `${execution?.workflowId ?? input.runId}/${execution?.runId ?? ''}`;
  if (input.handover.waitForSlot && !(await startedBefore(context, input, recordPath))) {
    await takeSlot(context, runKey, input);
  }
  const release = holdSlot(runKey);
  const handOver = (): Promise<string | undefined> => handOverOnce(context, input, recordPath, runKey);
  try {
    const success = await attempt();
    const handedTo = await handOver();
    return handedTo === undefined ? success : { ...success, handedTo };
  } catch (error) {
    if (!endsTheUnit(error, input)) throw error;
    if (input.handover.onFailure !== 'continue') {
      closeSlots(runKey);
      throw error;
    }
    // Under `continue` the run goes on: the slot is handed over as after a success.
    const handedTo = await handOver();
    throw handedTo === undefined ? error : withHandedTo(error, handedTo);
  } finally {
    release();
  }
}

/**
 * Hands the attempt's slot over, once: the unit it went to is noted next to the attempt record
 * before that unit starts, so a later try of this attempt (its worker died before the result
 * reached the server) names the same unit instead of handing the slot over a second time.
 */
async function handOverOnce(
  context: Context,
  input: AttemptInput,
  recordPath: string,
  runKey: string,
): Promise<string | undefined> {
  const owner = ownerOf(context.info, input.ownerKey);
  const notePath = `${recordPath}.handover`;
  if (context.info.attempt > 1) {
    const earlier = await readHandoverNote(notePath);
    if (earlier !== undefined && sameOwner(earlier.owner, owner)) return earlier.unitId;
  }
  return handOverSlot(runKey, async (unitId) => {
    const note: HandoverNote = { owner, unitId };
    try {
      await writeFileNoFollow(input.repo, notePath, JSON.stringify(note));
    } catch (error) {
      context.log.warn('Could not note a slot handover', { unitId: input.unit.unitId, error: String(error) });
    }
  });
}

interface HandoverNote {
  readonly owner: AttemptOwner;
  readonly unitId: string;
}

async function readHandoverNote(path: string): Promise<HandoverNote | undefined> {
  try {
    const note = JSON.parse((await readFileNoFollow(path)).toString('utf8')) as Partial<HandoverNote>;
    return typeof note.unitId === 'string' && typeof note.owner === 'object' && note.owner !== null
      ? (note as HandoverNote)
      : undefined;
  } catch {
    return undefined;
  }
}

async function takeSlot(context: Context, runKey: string, input: AttemptInput): Promise<void> {
  const beat = (): void => sendAgentHeartbeat(context, preparingHeartbeat(input.attempt));
  const heartbeats = setInterval(beat, 1000);
  try {
    const wait = await waitForSlot(runKey, input.unit.unitId, context.cancellationSignal);
    if (wait === 'handed-over') return;
    throw ApplicationFailure.create({
      type: SLOT_NOT_HANDED_OVER,
      nonRetryable: true,
      message:
        wait === 'closed'
          ? `${input.unit.unitId}: not started, its run stopped on a failure`
          : `${input.unit.unitId}: no slot to take over on this worker; the workflow schedules it again`,
    });
  } catch (error) {
    if (!context.cancellationSignal.aborted) throw error;
    // A worker going away: another worker's try of this attempt waits instead.
    if (cancellationLeavesAgentRunning(context)) {
      throw ApplicationFailure.retryable(
        `${input.unit.unitId}: waiting for a slot was interrupted`,
        'SlotWaitInterrupted',
      );
    }
    throw cancellationOf(context);
  } finally {
    clearInterval(heartbeats);
  }
}

/** A later try of an attempt that already had its slot: its agent was started, adopt it. */
async function startedBefore(context: Context, input: AttemptInput, recordPath: string): Promise<boolean> {
  if (context.info.attempt <= 1) return false;
  const record = await readAttemptRecord(recordPath);
  return (
    record !== null &&
    record.attempt === input.attempt &&
    sameOwner(record.owner, ownerOf(context.info, input.ownerKey))
  );
}

/** A unit's last failure: an agent failure that is never retried, or of its last allowed attempt. */
function endsTheUnit(error: unknown, input: AttemptInput): error is ApplicationFailure {
  if (!(error instanceof ApplicationFailure) || !isAgentFailureType(error.type)) return false;
  return NEVER_RETRIED.has(error.type) || input.attempt >= input.settings.retry.maxAttempts;
}

/** The same agent failure, naming the unit its slot was handed over to. */
function withHandedTo(failure: ApplicationFailure, handedTo: string): ApplicationFailure {
  const details = failure.details?.[0] as AgentFailureDetails;
  return ApplicationFailure.create({
    message: failure.message,
    type: failure.type ?? undefined,
    nonRetryable: true,
    details: [{ ...details, handedTo }],
  });
}
