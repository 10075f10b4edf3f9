/**
 * Every query and update of the fan-out workflow. The wire names are stable and never renamed;
 * the client imports this file, never the workflow.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { FanoutResult } from '../plan/types';
import type { CancelUnitAnswer, EventsPage, Progress } from '../contracts/run-types';

/** Statuses, attempts, times, errors, and for every waiting unit why it waits. Also after the run closed. */
export const progressQuery = defineQuery<Progress>('progress');

/**
 * Cancels one unit (SPEC §6): it ends CANCELLED with `Cancelled by request`, its dependents are
 * BLOCKED, everything else goes on. An update rather than a signal, so the caller learns at once
 * whether the unit could be cancelled (the validator rejects unknown or finished units) and is
 * answered only once the unit's agent has stopped.
 */
export const cancelUnitUpdate = defineUpdate<CancelUnitAnswer, [unitId: string]>('cancelUnit');

/** The result of SPEC §5 once every unit has ended (also after the run closed); null before. */
export const resultQuery = defineQuery<FanoutResult | null>('result');

/** The events from index `from` on, and how many there are in all: lets a client follow a run live. */
export const eventsQuery = defineQuery<EventsPage, [from: number]>('events');
