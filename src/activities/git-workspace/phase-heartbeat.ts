/**
 * Heartbeats while a git attempt works outside its agent (SPEC §9): making its starting point and
 * working tree before, committing and copying after. On a large repository these take seconds,
 * and an attempt that stopped heartbeating would be given up by the server.
 */

import type { Context } from '@temporalio/activity';
import { Heartbeater } from '../agent/heartbeat';
import type { AgentPhase, AttemptInput } from '../types';

export interface PhaseHeartbeatOptions {
  readonly phase: Extract<AgentPhase, 'preparing' | 'collecting'>;
  readonly logPath: string;
  readonly startedAt: string | null;
  readonly intervalMs: number;
  /** A remote run's worker host (SPEC §10): where the workflow continues the attempt if it goes silent. */
  readonly host?: { readonly id: string; readonly queue: string };
}

/** Starts heartbeating `phase` now and every `intervalMs`; the caller stops it. */
export function startPhaseHeartbeat(
  context: Pick<Context, 'heartbeat'>,
  input: Pick<AttemptInput, 'attempt'>,
  options: PhaseHeartbeatOptions,
): Heartbeater {
  const heartbeater = new Heartbeater(context, () => ({
    phase: options.phase,
    attempt: input.attempt,
    pid: null,
    pgid: null,
    startedAt: options.startedAt,
    bytes: 0,
    lastLines: [],
    logPath: options.logPath,
    ...(options.host === undefined ? {} : { host: options.host.id, hostQueue: options.host.queue }),
  }));
  heartbeater.beat();
  heartbeater.start(options.intervalMs);
  return heartbeater;
}

/** Runs `work` while heartbeating `phase`. */
export async function withPhaseHeartbeat<T>(
  context: Pick<Context, 'heartbeat'>,
  input: Pick<AttemptInput, 'attempt'>,
  options: PhaseHeartbeatOptions,
  work: () => Promise<T>,
): Promise<T> {
  const heartbeater = startPhaseHeartbeat(context, input, options);
  try {
    return await work();
  } finally {
    heartbeater.stop();
  }
}
