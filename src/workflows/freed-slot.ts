/**
 * A prefetching run's free slot goes to its waiting units before any unit that comes after them
 * (SPEC §3). A slot is free when its unit ended with no handover (it was cancelled, or no waiter
 * had arrived when its attempt ended), or when the unit that took it over was already booked on a
 * later ticket's word (prefetched-units.ts). It goes to the next waiting unit on the workflow's own
 * worker, through a local activity (activities/agent/freed-slot.ts), once that unit's ticket is out:
 * a ticket given out in the current workflow task reaches the worker only when the task completes,
 * and the task waits for its local activities. Until then the slot is held for it.
 *
 * When the worker's slots no longer go out in ticket order (the waiting units are on another
 * worker) or the try fails, free slots go to the run as before, and units are booked by name from
 * then on.
 */
import { isCancellation, proxyLocalActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { PrefetchedUnits } from './prefetched-units';

const { handOverFreedSlot } = proxyLocalActivities<ReturnType<typeof createActivities>>({
  startToCloseTimeout: '10s',
  retry: { maximumAttempts: 1 },
});

/**
 * Offers the run's free slots to its waiting units. Returns how many free slots are held for
 * waiting units whose tickets are not out yet: no other unit may take them now.
 */
export async function offerFreeSlots(
  prefetched: PrefetchedUnits,
  freeSlots: () => number,
  ticketsOut: number,
): Promise<number> {
  for (;;) {
    const free = freeSlots();
    if (free <= 0 || prefetched.waiting.size === 0 || !prefetched.inTicketOrder) return 0;
    if (!prefetched.firstWaitingIsOut(ticketsOut)) return Math.min(free, prefetched.waiting.size);
    try {
      const answer = await handOverFreedSlot({ ticketsIssued: ticketsOut });
      if (answer.handover !== undefined) {
        prefetched.handedTo(answer.handover.unitId, answer.handover.inTicketOrder);
      } else if (!answer.inTicketOrder || prefetched.handedBefore(answer.nextTicket) === 0) {
        // An answer that moves nothing on would be asked again for good: give the order up.
        prefetched.orderUnknown();
      }
      // Otherwise every earlier ticket had its slot; the completions that say so are on their way.
    } catch (error) {
      if (isCancellation(error)) throw error;
      prefetched.orderUnknown();
    }
  }
}
