/**
 * Follows a run while it goes: new events as they are recorded (the `events` query, polled), and
 * the final result however the run ended.
 */
import type { FanoutEvent, FanoutResult } from '../plan/types';
import { eventsQuery } from '../workflows/messages';
import type { FanoutHandle } from './fanout-client';
import { awaitResult } from './fanout-client';

const POLL_MS = 500;

export async function followRun(
  handle: FanoutHandle,
  onEvent: (event: FanoutEvent) => void,
): Promise<FanoutResult> {
  let seen = 0;
  let settled = false;
  const result = awaitResult(handle).finally(() => {
    settled = true;
  });
  while (!settled) {
    try {
      const page = await handle.query(eventsQuery, seen);
      for (const event of page.events) onEvent(event);
      seen = page.total;
    } catch {
      // Not answerable yet (no workflow task has run) or the run just closed: the result tells.
    }
    await Promise.race([
      new Promise((resolve) => setTimeout(resolve, POLL_MS)),
      result.catch(() => undefined),
    ]);
  }
  const final = await result;
  for (const event of final.events.slice(seen)) onEvent(event);
  return final;
}

/** One line for a person, per event. */
export function describeEvent(event: FanoutEvent): string {
  switch (event.type) {
    case 'fan_out_started':
      return 'fan-out started';
    case 'worker_started':
      return `started   ${event.unit_id}`;
    case 'worker_completed':
      return `succeeded ${event.unit_id}`;
    case 'worker_failed':
      return `ended     ${event.unit_id} (exit ${event.exit_code}): ${event.error}`;
    case 'worker_retrying':
      return `retrying  ${event.unit_id} after attempt ${event.attempt} in ${Math.round(event.delay_ms / 100) / 10}s: ${event.error}`;
    case 'all_workers_complete':
      return 'all units succeeded';
  }
}
