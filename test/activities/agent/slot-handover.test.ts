/** The worker's slots of a prefetching run: who waits, who takes a freed slot, when a waiter gives up. */
import { setTimeout as delay } from 'node:timers/promises';
import {
  closeSlots,
  forgetSlots,
  handOverSlot,
  holdSlot,
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
  it('hands a freed slot to the waiting unit first in code-point order', async () => {
    const release = holdSlot(key);
    const controller = new AbortController();
    const waits = ['b', 'B', '_x'].map((unitId) => ({
      unitId,
      wait: waitForSlot(key, unitId, controller.signal),
    }));
    // Code-point order: 'B' (66) < '_' (95) < 'b' (98).
    await expect(handOverSlot(key)).resolves.toBe('B');
    await expect(handOverSlot(key)).resolves.toBe('_x');
    await expect(waits[1]?.wait).resolves.toBe('handed-over');
    await expect(waits[2]?.wait).resolves.toBe('handed-over');
    await expect(handOverSlot(key)).resolves.toBe('b');
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
});
