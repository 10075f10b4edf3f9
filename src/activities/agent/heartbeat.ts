/**
 * The single place that sends an attempt's heartbeat. Heartbeats carry liveness for the Web UI,
 * and they are how a cancellation reaches the activity (see `@temporalio/activity`).
 */

import type { Context } from '@temporalio/activity';
import type { HostIdentity } from '../../contracts/hosts';
import type { AgentHeartbeat } from '../types';

type HostFields = Pick<AgentHeartbeat, 'host' | 'hostQueue'>;

/** The host fields every heartbeat of a remote attempt carries, by its activity's context. */
const hostOfContext = new WeakMap<object, HostFields>();

/**
 * From now on every heartbeat of this activity names `host` and its queue (SPEC §10): whichever
 * part of the attempt sends it, the workflow learns where an agent may live from the last one.
 */
export function stampHeartbeatsWithHost(context: Pick<Context, 'heartbeat'>, host: HostIdentity): void {
  hostOfContext.set(context, { host: host.id, hostQueue: host.queue });
}

/** Sends one {@link AgentHeartbeat}; `heartbeat` never throws (the SDK queues and throttles). */
export function sendAgentHeartbeat(context: Pick<Context, 'heartbeat'>, details: AgentHeartbeat): void {
  const host = hostOfContext.get(context);
  context.heartbeat(host === undefined ? details : { ...details, ...host });
}

/** The heartbeat of an attempt before its agent started: no process, no log yet. */
export function preparingHeartbeat(attempt: number): AgentHeartbeat {
  return {
    phase: 'preparing',
    attempt,
    pid: null,
    pgid: null,
    startedAt: null,
    bytes: 0,
    lastLines: [],
    logPath: '',
  };
}

/**
 * Heartbeats every `intervalMs` with whatever `snapshot` describes at that moment, and at once
 * on {@link beat}. Stopped with {@link stop}; the timer never keeps the process alive.
 */
export class Heartbeater {
  private timer: NodeJS.Timeout | undefined;
  private quiet = false;

  constructor(
    private readonly context: Pick<Context, 'heartbeat'>,
    private readonly snapshot: () => AgentHeartbeat,
  ) {}

  start(intervalMs: number): void {
    this.stop();
    this.timer = setInterval(() => {
      this.quiet = false;
      this.beat();
    }, intervalMs);
    this.timer.unref();
  }

  /**
   * As {@link start}, but nothing is sent before the first tick, one interval from now: an agent
   * that ends within it costs the server no heartbeat at all. Cancellation is no later for it:
   * the worker throttles heartbeats to one per interval, so a cancel requested after an
   * immediate first beat would also have waited for the beat one interval later.
   */
  startQuiet(intervalMs: number): void {
    this.start(intervalMs);
    this.quiet = true;
  }

  beat(): void {
    if (this.quiet) return;
    sendAgentHeartbeat(this.context, this.snapshot());
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
