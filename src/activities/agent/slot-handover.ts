/**
 * Prefetch (`--prefetch N`): a unit's first attempt may start on the worker before a slot is
 * free, and wait there. An attempt of the same run that succeeds hands its slot over to the
 * waiting attempt that comes next, which starts its agent at once, without waiting for the
 * workflow task that would otherwise schedule it. The finished attempt names the unit in its
 * result, so the workflow counts that unit as running from then on.
 *
 * Which waiter comes next: the workflow numbers the units it prefetches (tickets 1, 2, …, in
 * code-point order of their ids, SPEC §3), and slots go out in ticket order. A ticket that is
 * out but not here yet is waited for a moment. Each handover says whether it kept that order;
 * once a ticket is missed (it went to another worker, or a waiter gave up), slots go to the
 * waiting unit first in code-point order and the workflow books units by the names it is told.
 *
 * The slots are this worker process's: an attempt only hands its slot to a waiter on the same
 * worker. A waiter that has no attempt of its run to wait for here gives up (the workflow then
 * schedules its unit the usual way), and one whose run stopped on a failure gets no slot.
 */

import { compareCodePoints } from '../../plan/overlap';

const NO_HOLDER_GRACE_MS = 200;
const CHECK_MS = 50;
/** How long a freed slot waits for the next ticket's waiter to arrive on this worker. */
export const NEXT_TICKET_GRACE_MS = 200;

interface Waiter {
  readonly unitId: string;
  /** Its place in the run's prefetch order; absent from an input made before tickets existed. */
  readonly ticket: number | undefined;
  readonly handOver: (inTicketOrder: boolean) => void;
}

interface RunSlots {
  holders: number;
  readonly waiters: Waiter[];
  /** A failure stopped the run (`cancel`, `drain`): nothing starts in a slot any more. */
  closed: boolean;
  /** The ticket the next slot goes to, while slots still go out in ticket order. */
  nextTicket: number;
  inTicketOrder: boolean;
  /** Handovers one at a time: the next one starts once the last chose its unit. */
  turn: Promise<unknown>;
  /** Called whenever a waiter arrives (a freed slot may be waiting for its ticket). */
  onArrival: (() => void) | undefined;
}

/** A slot handed over: to which unit, and whether it went out in ticket order. */
export interface Handover {
  readonly unitId: string;
  readonly inTicketOrder: boolean;
}

const runs = new Map<string, RunSlots>();

/**
 * The key of a workflow execution's slots: an attempt and the workflow's own local activity must
 * name the same one. `fallback` stands in for a missing workflow id (never, on a real worker).
 */
export function slotsKey(
  execution: { readonly workflowId: string; readonly runId: string } | undefined,
  fallback = '',
): string {
  return `${execution?.workflowId ?? fallback}/${execution?.runId ?? ''}`;
}

function slotsOf(runKey: string): RunSlots {
  let slots = runs.get(runKey);
  if (slots === undefined) {
    slots = {
      holders: 0,
      waiters: [],
      closed: false,
      nextTicket: 1,
      inTicketOrder: true,
      turn: Promise.resolve(),
      onArrival: undefined,
    };
    runs.set(runKey, slots);
  }
  return slots;
}

/**
 * A run's entry stays after its last attempt here ended: its next ticket and its closing still
 * hold for attempts that arrive later. Only the oldest unused entries go, past a bound.
 */
const KEPT_RUNS = 256;

function forgetIfUnused(): void {
  if (runs.size <= KEPT_RUNS) return;
  for (const [runKey, slots] of runs) {
    if (runs.size <= KEPT_RUNS) return;
    if (slots.holders === 0 && slots.waiters.length === 0) runs.delete(runKey);
  }
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
    forgetIfUnused();
  };
}

export interface HandOverOptions {
  /** How many tickets the workflow had given out when it started the attempt handing over. */
  readonly ticketsIssued?: number;
  /** Runs once the unit is chosen and before it may start (the attempt notes its handover). */
  readonly record?: (handover: Handover) => Promise<void>;
}

/** A held slot is free: the next waiting unit takes it. Returns that handover, if any. */
export function handOverSlot(runKey: string, options: HandOverOptions = {}): Promise<Handover | undefined> {
  const slots = runs.get(runKey);
  if (slots === undefined) return Promise.resolve(undefined);
  const handover = slots.turn.then(() => handOverNow(slots, options));
  slots.turn = handover.catch(() => undefined);
  return handover;
}

async function handOverNow(slots: RunSlots, options: HandOverOptions): Promise<Handover | undefined> {
  if (slots.closed) return undefined;
  const next = await nextInTicketOrder(slots, options.ticketsIssued ?? 0);
  const waiter = next ?? (slots.inTicketOrder ? undefined : firstByUnitId(slots.waiters));
  // The waiter may have left while this handover waited for it (its attempt was cancelled).
  const index = waiter === undefined ? -1 : slots.waiters.indexOf(waiter);
  if (waiter === undefined || index < 0 || slots.closed) return undefined;
  slots.waiters.splice(index, 1);
  if (next !== undefined) slots.nextTicket += 1;
  const handover: Handover = { unitId: waiter.unitId, inTicketOrder: next !== undefined };
  try {
    await options.record?.(handover);
  } finally {
    waiter.handOver(handover.inTicketOrder);
  }
  return handover;
}

/**
 * The waiter holding the next ticket, waited for a moment when that ticket is out but its waiter
 * has not arrived. Undefined when no ticket is out (the order holds), or once the order cannot
 * be kept (a ticket missed): then `inTicketOrder` is false from now on.
 */
async function nextInTicketOrder(slots: RunSlots, ticketsIssued: number): Promise<Waiter | undefined> {
  if (!slots.inTicketOrder) return undefined;
  const holder = (): Waiter | undefined => slots.waiters.find((waiter) => waiter.ticket === slots.nextTicket);
  const found = holder();
  if (found !== undefined) return found;
  const ticketOut =
    ticketsIssued >= slots.nextTicket ||
    slots.waiters.some((waiter) => (waiter.ticket ?? 0) > slots.nextTicket);
  // No ticket out that this slot could wait for: the slot frees, and the order still holds.
  if (!ticketOut) return slots.waiters.length === 0 ? undefined : notInOrder(slots);
  const arrived = await new Promise<Waiter | undefined>((resolve) => {
    const timer = setTimeout(() => {
      slots.onArrival = undefined;
      resolve(undefined);
    }, NEXT_TICKET_GRACE_MS);
    slots.onArrival = () => {
      const waiter = holder();
      if (waiter === undefined) return;
      clearTimeout(timer);
      slots.onArrival = undefined;
      resolve(waiter);
    };
  });
  return arrived ?? notInOrder(slots);
}

function notInOrder(slots: RunSlots): undefined {
  slots.inTicketOrder = false;
  return undefined;
}

function firstByUnitId(waiters: readonly Waiter[]): Waiter | undefined {
  let first: Waiter | undefined;
  for (const waiter of waiters) {
    if (first === undefined || compareCodePoints(waiter.unitId, first.unitId) < 0) first = waiter;
  }
  return first;
}

/**
 * Where the run's handovers stand on this worker: the next ticket, and whether order held. A
 * worker that has seen nothing of the run knows no order: its units wait elsewhere.
 */
export function ticketProgress(runKey: string): { nextTicket: number; inTicketOrder: boolean } {
  const slots = runs.get(runKey);
  return slots === undefined
    ? { nextTicket: 1, inTicketOrder: false }
    : { nextTicket: slots.nextTicket, inTicketOrder: slots.inTicketOrder };
}

/** A failure stopped the run: no waiting attempt of it gets a slot from now on. */
export function closeSlots(runKey: string): void {
  const slots = slotsOf(runKey);
  slots.closed = true;
  forgetIfUnused();
}

/** Drops what this process knows of a run (tests, and a run that ended). */
export function forgetSlots(runKey: string): void {
  runs.delete(runKey);
}

/** How a wait ended: a slot handed over (in ticket order or not), or none to wait for. */
export type SlotWait = 'handed-over-in-ticket-order' | 'handed-over' | 'no-holder' | 'closed';

/**
 * Waits until an attempt of the run hands its slot over, the run's slots close, or no attempt of
 * the run has been under way here for a moment. Rejects with `signal`'s reason when it aborts.
 */
export function waitForSlot(
  runKey: string,
  unitId: string,
  signal: AbortSignal,
  ticket?: number,
): Promise<SlotWait> {
  const slots = slotsOf(runKey);
  if (slots.closed) return Promise.resolve('closed');
  return new Promise<SlotWait>((resolve, reject) => {
    let noHolderSince: number | undefined;
    const finish = (handedOver: boolean): void => {
      clearInterval(timer);
      signal.removeEventListener('abort', onAbort);
      const index = slots.waiters.indexOf(waiter);
      if (index >= 0) slots.waiters.splice(index, 1);
      // A ticket that leaves without its slot would hold every later one up.
      if (!handedOver) slots.inTicketOrder = false;
      forgetIfUnused();
    };
    const waiter: Waiter = {
      unitId,
      ticket,
      handOver: (inTicketOrder) => {
        finish(true);
        resolve(inTicketOrder ? 'handed-over-in-ticket-order' : 'handed-over');
      },
    };
    const onAbort = (): void => {
      finish(false);
      reject(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
    };
    const timer = setInterval(() => {
      if (slots.closed) {
        finish(false);
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
        finish(false);
        resolve('no-holder');
      }
    }, CHECK_MS);
    signal.addEventListener('abort', onAbort);
    // A waiter without a ticket, or with one already passed, cannot be served in ticket order.
    if (ticket === undefined || ticket < slots.nextTicket) slots.inTicketOrder = false;
    slots.waiters.push(waiter);
    slots.onArrival?.();
    if (signal.aborted) onAbort();
  });
}
