/**
 * A prefetching run's slot that freed without a handover (its unit was cancelled, or no waiter
 * had arrived when its attempt ended) is kept for the waiting units rather than given to a unit
 * that comes after them (SPEC §3). It goes to the next waiting unit on the workflow's own worker,
 * through a local activity (activities/agent/freed-slot.ts), once that unit's ticket is out: a
 * ticket given out in the current workflow task reaches the worker only when the task completes,
 * and the task waits for its local activities.
 *
 * When the worker's slots no longer go out in ticket order (the waiting units are on another
 * worker) or the try fails, the slot goes back to the run, and units are booked by name from
 * then on (prefetched-units.ts).
 */
import { isCancellation, proxyLocalActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { PrefetchedUnits } from './prefetched-units';

const { handOverFreedSlot } = proxyLocalActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 1 },
});

/** Offers the kept slots to the waiting units whose tickets are out. */
export async function offerKeptSlots(prefetched: PrefetchedUnits, ticketsOut: number): Promise<void> {
  while (prefetched.keptSlots > 0 && prefetched.firstWaitingIsOut(ticketsOut)) {
    prefetched.keptSlotUsed();
    try {
      const answer = await handOverFreedSlot({ ticketsIssued: ticketsOut });
      if (answer.handover !== undefined) {
        prefetched.handedTo(answer.handover.unitId, answer.handover.inTicketOrder);
      } else if (answer.inTicketOrder) {
        // Every earlier ticket had its slot (completions that say so are on their way); this slot
        // waits for the next ticket to be out.
        prefetched.handedBefore(answer.nextTicket);
        prefetched.slotFreed();
      } else prefetched.orderUnknown();
    } catch (error) {
      if (isCancellation(error)) throw error;
      prefetched.orderUnknown();
    }
  }
}
