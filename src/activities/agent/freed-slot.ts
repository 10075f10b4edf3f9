/**
 * A prefetching run's slot that freed without being handed over (its unit was cancelled, or no
 * waiter had arrived when its attempt ended): the workflow gives it to the next waiting unit on
 * its own worker, through a local activity, instead of starting a unit that comes after them.
 */
import { Context } from '@temporalio/activity';
import { handOverSlot, slotsKey, ticketProgress, type Handover } from './slot-handover';

export interface FreedSlotInput {
  /** How many tickets the workflow had given out (slot-handover.ts). */
  readonly ticketsIssued: number;
}

export interface FreedSlotAnswer {
  /** The unit that took the slot, if one did. */
  readonly handover?: Handover;
  /** The ticket the next slot on this worker goes to: every earlier one had its slot. */
  readonly nextTicket: number;
  /** Whether slots still go out in ticket order on this worker. */
  readonly inTicketOrder: boolean;
}

export async function handOverFreedSlot(input: FreedSlotInput): Promise<FreedSlotAnswer> {
  const runKey = slotsKey(Context.current().info.workflowExecution);
  const handover = await handOverSlot(runKey, { ticketsIssued: input.ticketsIssued });
  return { ...(handover === undefined ? {} : { handover }), ...ticketProgress(runKey) };
}
