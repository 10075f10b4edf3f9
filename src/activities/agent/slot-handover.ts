/**
 * Prefetch (`--prefetch N`): a unit's first attempt may start on the worker before a slot is
 * free, and wait there. An attempt of the same run that succeeds hands its slot over to the
 * waiting attempt whose unit comes first in code-point order, which starts its agent at once,
 * without waiting for the workflow task that would otherwise schedule it. The finished attempt
 * names the unit in its result, so the workflow counts that unit as running from then on.
 *
 * The slots are this worker process's: an attempt only hands its slot to a waiter on the same
 * worker. A waiter that has no attempt of its run to wait for here gives up (the workflow then
 * schedules its unit the usual way), and one whose run stopped on a failure gets no slot.
 */

import { compareCodePoints } from '../../plan/overlap';

const NO_HOLDER_GRACE_MS = 200;
const CHECK_MS = 50;

interface Waiter {
  readonly unitId: string;
  readonly handOver: () => void;
}

interface RunSlots {
  holders: number;
  readonly waiters: Waiter[];
  /** A failure stopped the run (`cancel`, `drain`): nothing starts in a slot any more. */
  closed: boolean;
}

const runs = new Map<string, RunSlots>();

function slotsOf(runKey: string): RunSlots {
  let slots = runs.get(runKey);
  if (slots === undefined) {
    slots = { holders: 0, waiters: [], closed: false };
    runs.set(runKey, slots);
  }
  return slots;
}

/**
 * Once nothing of the run is under way or waiting here, its entry goes, closed or not: a waiter
 * that comes later finds no attempt to take a slot from and gives up.
 */
function forgetIfUnused(runKey: string, slots: RunSlots): void {
  if (slots.holders === 0 && slots.waiters.length === 0) runs.delete(runKey);
}

/** An attempt of the run is under way on this worker; the returned function ends that. */
export function holdSlot(runKey: string): () => void {
  const slots = slotsOf(runKey);
  slots.holders += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    slots.holders -= 1;
    forgetIfUnused(runKey, slots);
  };
}

/**
 * A held slot is free: the first waiting unit takes it. `record` runs once that unit is chosen and
 * before it may start (the attempt notes its handover, for a later try of it after a crash).
 * Returns that unit, if any.
 */
export async function handOverSlot(
  runKey: string,
  record?: (unitId: string) => Promise<void>,
): Promise<string | undefined> {
  const slots = runs.get(runKey);
  if (slots === undefined || slots.closed || slots.waiters.length === 0) return undefined;
  let first = 0;
  slots.waiters.forEach((waiter, index) => {
    if (compareCodePoints(waiter.unitId, (slots.waiters[first] as Waiter).unitId) < 0) first = index;
  });
  const [waiter] = slots.waiters.splice(first, 1) as [Waiter];
  try {
    await record?.(waiter.unitId);
  } finally {
    waiter.handOver();
  }
  return waiter.unitId;
}

/** A failure stopped the run: no waiting attempt of it gets a slot from now on. */
export function closeSlots(runKey: string): void {
  const slots = slotsOf(runKey);
  slots.closed = true;
  forgetIfUnused(runKey, slots);
}

/** Drops what this process knows of a run (tests, and a run that ended). */
export function forgetSlots(runKey: string): void {
  runs.delete(runKey);
}

export type SlotWait = 'handed-over' | 'no-holder' | 'closed';

/**
 * Waits until an attempt of the run hands its slot over, the run's slots close, or no attempt of
 * the run has been under way here for a moment. Rejects with `signal`'s reason when it aborts.
 */
export function waitForSlot(runKey: string, unitId: string, signal: AbortSignal): Promise<SlotWait> {
  const slots = slotsOf(runKey);
  if (slots.closed) return Promise.resolve('closed');
  return new Promise<SlotWait>((resolve, reject) => {
    let noHolderSince: number | undefined;
    const finish = (): void => {
      clearInterval(timer);
      signal.removeEventListener('abort', onAbort);
      const index = slots.waiters.indexOf(waiter);
      if (index >= 0) slots.waiters.splice(index, 1);
      forgetIfUnused(runKey, slots);
    };
    const waiter: Waiter = {
      unitId,
      handOver: () => {
        finish();
        resolve('handed-over');
      },
    };
    const onAbort = (): void => {
      finish();
      reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    };
    const timer = setInterval(() => {
      if (slots.closed) {
        finish();
        resolve('closed');
        return;
      }
      if (slots.holders > 0) {
        noHolderSince = undefined;
        return;
      }
      const now = performance.now();
      noHolderSince ??= now;
      if (now - noHolderSince >= NO_HOLDER_GRACE_MS) {
        finish();
        resolve('no-holder');
      }
    }, CHECK_MS);
    signal.addEventListener('abort', onAbort);
    slots.waiters.push(waiter);
    if (signal.aborted) onAbort();
  });
}
