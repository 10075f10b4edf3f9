/**
 * Follows a run while it goes: new events as they are recorded (the `events` query), and for the
 * live display the `progress` query with each running agent's last output line, all polled, until
 * the run ends (its result, however it ended) or the caller detaches (its abort signal).
 */
import type { Client } from '@temporalio/client';
import type { FanoutEvent, FanoutResult } from '../../plan/types';
import { eventsQuery, progressQuery } from '../../workflows/messages';
import type { Progress } from '../../contracts/run-types';
import type { FanoutHandle } from '../fanout-client';
import { isServerUnreachable, resultThroughOutages, ServerReachability } from './outage';
import { readAgentLastLines } from '../live/agent-output';

const POLL_MS = 500;
/** A progress answer grows with the plan (about 200 bytes a unit): large plans are polled less often. */
const pollMsFor = (units: number): number => Math.min(2000, Math.max(POLL_MS, Math.round(units / 5)));

export interface FollowOptions {
  /** Every event, once, in order. */
  readonly onEvent?: (event: FanoutEvent) => void;
  /** The progress and the running agents' last output lines, on every poll that could read them. */
  readonly onProgress?: (progress: Progress, lastLines: ReadonlyMap<string, string>) => void;
  /** Needed for `onProgress` (it decodes heartbeats with the client's data converter). */
  readonly client?: Client;
  /** Stops following (detach); the run goes on. */
  readonly signal?: AbortSignal;
  /** Told when the server stops and starts answering; following goes on through any outage. */
  readonly reachability?: ServerReachability;
}

export type FollowOutcome =
  | {
      readonly kind: 'ended';
      readonly result: FanoutResult;
      /** The last output line seen of each agent, for the final display. */
      readonly lastLines: ReadonlyMap<string, string>;
    }
  | { readonly kind: 'detached' };

export async function followRunUntilEnd(
  handle: FanoutHandle,
  options: FollowOptions,
): Promise<FollowOutcome> {
  const { signal } = options;
  const reachability = options.reachability ?? new ServerReachability(() => undefined);
  let settled = false;
  const outcome = resultThroughOutages(handle, reachability, signal).then(
    (result) => (result === undefined ? { detached: true as const } : { result }),
    (error: unknown) => ({ error }),
  );
  void outcome.then(() => (settled = true));
  const detached = new Promise<undefined>((resolve) => {
    if (signal?.aborted) resolve(undefined);
    signal?.addEventListener('abort', () => resolve(undefined), { once: true });
  });
  const ended = outcome.then(() => undefined);
  /**
   * The promise's value, or undefined once the caller detached or the run ended (a query of a
   * closed run waits for a worker to answer it; the result does not need one).
   */
  const unlessDone = <T>(promise: Promise<T>): Promise<T | undefined> =>
    Promise.race([promise, detached, ended]);

  let seen = 0;
  let pollMs = POLL_MS;
  let lastLines: ReadonlyMap<string, string> = new Map();
  while (!settled && signal?.aborted !== true) {
    try {
      if (options.onEvent !== undefined) {
        const page = await unlessDone(handle.query(eventsQuery, seen));
        if (page !== undefined) {
          for (const event of page.events) options.onEvent(event);
          seen = page.total;
        }
      }
      if (options.onProgress !== undefined) {
        const progress = await unlessDone(handle.query(progressQuery));
        if (progress !== undefined) {
          pollMs = pollMsFor(progress.units.length);
          const running = progress.units.some((unit) => unit.status === 'RUNNING');
          // One describe call per poll while agents run; their heartbeats come about once a second.
          if (running && options.client !== undefined) {
            lastLines =
              (await unlessDone(readAgentLastLines(options.client, handle).catch(() => lastLines))) ??
              lastLines;
          }
          options.onProgress(progress, lastLines);
        }
      }
      reachability.up();
    } catch (error) {
      // Not answerable yet (no workflow task has run), or the run just closed: the result tells.
      if (isServerUnreachable(error)) reachability.down();
    }
    await Promise.race([new Promise((resolve) => setTimeout(resolve, pollMs)), outcome, detached]);
  }
  if (!settled) return { kind: 'detached' };
  const final = await outcome;
  if ('detached' in final) return { kind: 'detached' };
  if ('error' in final) throw final.error;
  for (const event of final.result.events.slice(seen)) options.onEvent?.(event);
  return { kind: 'ended', result: final.result, lastLines };
}

/** Follows a run to its end, one callback per event. */
export async function followRun(
  handle: FanoutHandle,
  onEvent: (event: FanoutEvent) => void,
): Promise<FanoutResult> {
  const outcome = await followRunUntilEnd(handle, { onEvent });
  if (outcome.kind !== 'ended') throw new Error('followRun: detached without a signal');
  return outcome.result;
}

/** One line for a person, per event. */
export function describeEvent(event: FanoutEvent): string {
  switch (event.type) {
    case 'fan_out_started':
      return 'fan-out started';
    case 'worker_started':
      return `started   ${event.unit_id}`;
    case 'worker_completed':
      return event.reused_from === undefined
        ? `succeeded ${event.unit_id}`
        : `reused    ${event.unit_id} (succeeded in ${event.reused_from})`;
    case 'worker_failed':
      return `ended     ${event.unit_id} (exit ${event.exit_code}): ${event.error}`;
    case 'worker_retrying':
      return `retrying  ${event.unit_id} after attempt ${event.attempt} in ${Math.round(event.delay_ms / 100) / 10}s: ${event.error}`;
    case 'all_workers_complete':
      return 'all units succeeded';
  }
}
