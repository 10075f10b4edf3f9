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
import { readAttemptRecord, sameOwner } from './attempt-record';
import { recordedHandover, recordHandover } from './handover-log';
import { cancellationOf, cancellationLeavesAgentRunning } from './cancellation';
import { closeSlots, handOverSlot, holdSlot, slotsKey, waitForSlot, type Handover } from './slot-handover';

export async function runPrefetchingAttempt(
  context: Context,
  input: AttemptInput & { readonly handover: SlotHandover },
  recordPath: string,
  attempt: () => Promise<AttemptSuccess>,
): Promise<AttemptSuccess> {
  const runKey = slotsKey(context.info.workflowExecution, input.runId);
  // Whether this waiting attempt took its slot in ticket order: its result says so (prefetched-units.ts).
  let inTicketOrder: Pick<AttemptSuccess, 'startedInTicketOrder'> = {};
  if (input.handover.waitForSlot && !(await startedBefore(context, input, recordPath))) {
    if (await takeSlot(context, runKey, input)) inTicketOrder = { startedInTicketOrder: true };
  }
  const release = holdSlot(runKey);
  const handOver = (): Promise<Handover | undefined> => handOverOnce(context, input, runKey);
  try {
    const success = { ...(await attempt()), ...inTicketOrder };
    const handover = await handOver();
    return handover === undefined ? success : { ...success, ...handedTo(handover) };
  } catch (error) {
    if (!endsTheUnit(error, input)) throw withDetails(error, inTicketOrder);
    if (input.handover.onFailure !== 'continue') {
      closeSlots(runKey);
      throw withDetails(error, inTicketOrder);
    }
    // Under `continue` the run goes on: the slot is handed over as after a success.
    const handover = await handOver();
    throw withDetails(error, { ...inTicketOrder, ...(handover === undefined ? {} : handedTo(handover)) });
  } finally {
    release();
  }
}

/**
 * Hands the attempt's slot over, once: the unit it went to is logged (handover-log.ts) before that
 * unit starts, so a later try of this attempt (its worker died before the result reached the
 * server) names the same unit instead of handing the slot over a second time.
 */
async function handOverOnce(
  context: Context,
  input: AttemptInput & { readonly handover: SlotHandover },
  runKey: string,
): Promise<Handover | undefined> {
  const owner = ownerOf(context.info, input.ownerKey);
  if (context.info.attempt > 1) {
    const earlier = await recordedHandover(input.repo, owner);
    if (earlier !== undefined) return earlier;
  }
  return handOverSlot(runKey, {
    ...(input.handover.ticketsIssued === undefined ? {} : { ticketsIssued: input.handover.ticketsIssued }),
    record: async (handover) => {
      try {
        await recordHandover(input.repo, owner, handover);
      } catch (error) {
        context.log.warn('Could not note a slot handover', {
          unitId: input.unit.unitId,
          error: String(error),
        });
      }
    },
  });
}

/** What a result says of its handover. */
function handedTo(handover: Handover): Pick<AttemptSuccess, 'handedTo' | 'handedInTicketOrder'> {
  return { handedTo: handover.unitId, ...(handover.inTicketOrder ? { handedInTicketOrder: true } : {}) };
}

/** Waits for a slot; true when it was handed over in ticket order. */
async function takeSlot(context: Context, runKey: string, input: AttemptInput): Promise<boolean> {
  const beat = (): void => sendAgentHeartbeat(context, preparingHeartbeat(input.attempt));
  const heartbeats = setInterval(beat, 1000);
  try {
    const wait = await waitForSlot(
      runKey,
      input.unit.unitId,
      context.cancellationSignal,
      input.handover?.ticket,
    );
    if (wait === 'handed-over' || wait === 'handed-over-in-ticket-order') {
      return wait === 'handed-over-in-ticket-order';
    }
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

/** The same failure; an agent failure also says where the attempt's slot came from and went. */
function withDetails(
  failure: unknown,
  handover: Pick<AgentFailureDetails, 'handedTo' | 'handedInTicketOrder' | 'startedInTicketOrder'>,
): unknown {
  if (Object.keys(handover).length === 0) return failure;
  if (!(failure instanceof ApplicationFailure) || !isAgentFailureType(failure.type)) return failure;
  const details = failure.details?.[0] as AgentFailureDetails;
  return ApplicationFailure.create({
    message: failure.message,
    type: failure.type,
    nonRetryable: failure.nonRetryable === true,
    details: [{ ...details, ...handover }],
  });
}
