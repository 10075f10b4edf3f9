/** The worker's slots of a prefetching run: who waits, who takes a freed slot, when a waiter gives up. */
import { setTimeout as delay } from 'node:timers/promises';
import {
  closeSlots,
  forgetSlots,
  handOverSlot,
  holdSlot,
  NEXT_TICKET_GRACE_MS,
  ticketProgress,
  waitForSlot,
} from '../../../src/activities/agent/slot-handover';

let run = 0;
let key = '';
beforeEach(() => {
  run += 1;
  key = `slots-test/${run}`;
});
afterEach(() => forgetSlots(key));

describe('slot handover', () => {
  it('hands a freed slot to the waiting unit first in code-point order when the waiters have no tickets', async () => {
    const release = holdSlot(key);
    const controller = new AbortController();
    const waits = ['b', 'B', '_x'].map((unitId) => ({
      unitId,
      wait: waitForSlot(key, unitId, controller.signal),
    }));
    // Code-point order: 'B' (66) < '_' (95) < 'b' (98).
    await expect(handOverSlot(key)).resolves.toEqual({ unitId: 'B', inTicketOrder: false });
    await expect(handOverSlot(key)).resolves.toEqual({ unitId: '_x', inTicketOrder: false });
    await expect(waits[1]?.wait).resolves.toBe('handed-over');
    await expect(waits[2]?.wait).resolves.toBe('handed-over');
    await expect(handOverSlot(key)).resolves.toEqual({ unitId: 'b', inTicketOrder: false });
    await expect(handOverSlot(key)).resolves.toBeUndefined();
    release();
  });

  it('keeps waiting while an attempt of the run is under way, and gives up once none has been for a moment', async () => {
    const release = holdSlot(key);
    const wait = waitForSlot(key, 'a', new AbortController().signal);
    let settled = false;
    void wait.then(() => (settled = true));
    await delay(500);
    expect(settled).toBe(false);
    release();
    await expect(wait).resolves.toBe('no-holder');
  });

  it('gives no slot once the run stopped on a failure', async () => {
    const release = holdSlot(key);
    const wait = waitForSlot(key, 'a', new AbortController().signal);
    closeSlots(key);
    await expect(handOverSlot(key)).resolves.toBeUndefined();
    await expect(wait).resolves.toBe('closed');
    await expect(waitForSlot(key, 'b', new AbortController().signal)).resolves.toBe('closed');
    release();
  });

  it('stops waiting with the reason of a cancellation, and no longer takes a slot', async () => {
    const release = holdSlot(key);
    const controller = new AbortController();
    const wait = waitForSlot(key, 'a', controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(wait).rejects.toThrow('cancelled');
    await expect(handOverSlot(key)).resolves.toBeUndefined();
    release();
  });

  it('hands slots out in ticket order, whatever order the waiters arrived in', async () => {
    const release = holdSlot(key);
    const signal = new AbortController().signal;
    const waits = [3, 1, 2].map((ticket) => waitForSlot(key, `u${ticket}`, signal, ticket));
    const handed = [];
    for (let slot = 0; slot < 3; slot += 1) handed.push(await handOverSlot(key, { ticketsIssued: 3 }));
    expect(handed).toEqual([1, 2, 3].map((ticket) => ({ unitId: `u${ticket}`, inTicketOrder: true })));
    await expect(Promise.all(waits)).resolves.toEqual(Array(3).fill('handed-over-in-ticket-order'));
    // Nothing waits and no ticket is out: the slot frees, and the order still holds.
    await expect(handOverSlot(key, { ticketsIssued: 3 })).resolves.toBeUndefined();
    void waitForSlot(key, 'u4', signal, 4);
    await expect(handOverSlot(key, { ticketsIssued: 4 })).resolves.toEqual({
      unitId: 'u4',
      inTicketOrder: true,
    });
    release();
  });

  it('keeps a freed slot for the next ticket while its waiter is on its way', async () => {
    const release = holdSlot(key);
    const signal = new AbortController().signal;
    void waitForSlot(key, 'u2', signal, 2);
    const handover = handOverSlot(key, { ticketsIssued: 2 });
    await delay(50);
    void waitForSlot(key, 'u1', signal, 1);
    await expect(handover).resolves.toEqual({ unitId: 'u1', inTicketOrder: true });
    await expect(handOverSlot(key)).resolves.toEqual({ unitId: 'u2', inTicketOrder: true });
    release();
  });

  it('gives the slot out of ticket order once a ticket does not come, and says so from then on', async () => {
    const release = holdSlot(key);
    const signal = new AbortController().signal;
    void waitForSlot(key, 'u3', signal, 3);
    void waitForSlot(key, 'u2', signal, 2);
    const started = performance.now();
    await expect(handOverSlot(key, { ticketsIssued: 3 })).resolves.toEqual({
      unitId: 'u2',
      inTicketOrder: false,
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(NEXT_TICKET_GRACE_MS - 5);
    void waitForSlot(key, 'u1', signal, 1);
    await expect(handOverSlot(key)).resolves.toEqual({ unitId: 'u1', inTicketOrder: false });
    release();
  });

  it('no longer keeps ticket order once a waiter left without a slot', async () => {
    const release = holdSlot(key);
    const first = new AbortController();
    const signal = new AbortController().signal;
    const left = waitForSlot(key, 'u1', first.signal, 1);
    void waitForSlot(key, 'u2', signal, 2);
    first.abort(new Error('called back'));
    await expect(left).rejects.toThrow('called back');
    await expect(handOverSlot(key, { ticketsIssued: 2 })).resolves.toEqual({
      unitId: 'u2',
      inTicketOrder: false,
    });
    release();
  });

  it('remembers the next ticket while nothing of the run is under way here', async () => {
    const signal = new AbortController().signal;
    const first = holdSlot(key);
    void waitForSlot(key, 'u1', signal, 1);
    await expect(handOverSlot(key, { ticketsIssued: 1 })).resolves.toEqual({
      unitId: 'u1',
      inTicketOrder: true,
    });
    first();
    const second = holdSlot(key);
    void waitForSlot(key, 'u2', signal, 2);
    await expect(handOverSlot(key, { ticketsIssued: 2 })).resolves.toEqual({
      unitId: 'u2',
      inTicketOrder: true,
    });
    second();
  });

  it('hands nothing over when the waiter it waited for leaves before it takes the slot', async () => {
    const release = holdSlot(key);
    const signal = new AbortController().signal;
    const second = waitForSlot(key, 'u2', signal, 2);
    const handover = handOverSlot(key, { ticketsIssued: 2 });
    await delay(20);
    const first = new AbortController();
    const left = waitForSlot(key, 'u1', first.signal, 1);
    first.abort(new Error('called back'));
    await expect(left).rejects.toThrow('called back');
    await expect(handover).resolves.toBeUndefined();
    // u2 still waits; the next slot goes to it, out of ticket order since u1 left without one.
    await expect(handOverSlot(key)).resolves.toEqual({ unitId: 'u2', inTicketOrder: false });
    await expect(second).resolves.toBe('handed-over');
    release();
  });

  it('knows no ticket order for a run it has seen nothing of', () => {
    expect(ticketProgress(`${key}/elsewhere`)).toEqual({ nextTicket: 1, inTicketOrder: false });
    const release = holdSlot(key);
    expect(ticketProgress(key)).toEqual({ nextTicket: 1, inTicketOrder: true });
    release();
  });
});
