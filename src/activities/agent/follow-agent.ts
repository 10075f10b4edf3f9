/**
 * Follows a running agent to its end: reads its log as it grows, enforces `timeout` and
 * `idle_timeout`, reacts to cancellation, and returns only once nothing of its process group is
 * alive. Leftovers (SPEC §7.11): when the leader exits, the rest of the group is stopped at once;
 * since output goes to a file, nothing waits for a descendant that keeps the log open.
 *
 * It knows nothing about how the agent was started, so an adopted agent can be followed the same way.
 * A cancellation that {@link FollowOptions.release | releases} the agent ends the follow without
 * touching the group: the agent keeps running for a later attempt to adopt (SPEC §4.4).
 */

import type { LogTail } from './output-tail';
import { isGroupAlive, stopProcessGroup, type StopReport } from './process-group';
import type { AgentProcess } from './agent-process';

export interface FollowLimits {
  /** The follower's deadline after the agent's start (`attemptDeadlines`, src/plan/deadlines.ts). */
  readonly timeoutMs: number;
  readonly idleMs: number;
  readonly graceMs: number;
}

export interface FollowOptions {
  readonly limits: FollowLimits;
  /** How often the log is read and the limits are checked. */
  readonly pollMs: number;
  /** Wall-clock ms of the agent's start: `timeout` counts from here. */
  readonly startedAtMs: number;
  /** Wall-clock ms of the agent's last output known so far; the idle period counts from here. @default startedAtMs */
  readonly lastOutputAtMs?: number;
  readonly now: () => number;
  /** The activity's cancellation signal. */
  readonly signal: AbortSignal;
  /** Called once, when a live group is about to be signalled. */
  readonly onStopping?: () => void;
  /** Asked once the signal aborts: true leaves the agent running (a worker shutdown, a lost attempt). */
  readonly release?: () => boolean | Promise<boolean>;
}

export type FollowEnd =
  | { readonly kind: 'exited'; readonly exitCode: number }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'idle' }
  | { readonly kind: 'cancelled'; readonly reason: unknown }
  /** Cancelled, and the agent was left running on purpose. */
  | { readonly kind: 'released' }
  /** The leader is gone but its exit status was never recorded. */
  | { readonly kind: 'lost' };

export interface FollowResult {
  readonly end: FollowEnd;
  /** The last non-blank output line, stripped, trimmed and cut; null when there is none. */
  readonly lastLine: string | null;
  /** What was done to the group at the end; null when it was left running. */
  readonly stop: StopReport | null;
}

/** How long to wait for the leader's exit status once its group is gone. */
const REAP_WAIT_MS = 2000;

export async function followAgent(
  agent: AgentProcess,
  tail: LogTail,
  options: FollowOptions,
): Promise<FollowResult> {
  const { limits, signal, now } = options;
  let exitCode: number | null | undefined;
  let wakeUp: (() => void) | undefined;
  const onWake = (): void => wakeUp?.();
  void agent.exited.then((code) => {
    exitCode = code;
    onWake();
  });
  signal.addEventListener('abort', onWake);

  let lastOutputAt = options.lastOutputAtMs ?? options.startedAtMs;
  let end: FollowEnd | undefined;
  try {
    while (end === undefined) {
      if (await tail.poll()) lastOutputAt = now();
      const at = now();
      const timeoutLeft = options.startedAtMs + limits.timeoutMs - at;
      const idleLeft = lastOutputAt + limits.idleMs - at;
      if (exitCode === null) end = { kind: 'lost' };
      else if (exitCode !== undefined) end = { kind: 'exited', exitCode };
      else if (signal.aborted)
        end = (await options.release?.())
          ? { kind: 'released' }
          : { kind: 'cancelled', reason: signal.reason };
      else if (timeoutLeft <= 0) end = { kind: 'timeout' };
      else if (idleLeft <= 0) end = { kind: 'idle' };
      else await sleep(Math.min(options.pollMs, timeoutLeft, idleLeft), (wake) => (wakeUp = wake));
    }
  } finally {
    signal.removeEventListener('abort', onWake);
  }

  if (end.kind === 'released') {
    await tail.poll();
    return { end, lastLine: tail.lastLine(), stop: null };
  }
  const leaderEnded = end.kind === 'exited' || end.kind === 'lost';
  if (!leaderEnded || (await isGroupAlive(agent.pgid))) options.onStopping?.();
  const stop = await stopProcessGroup(agent.pgid, limits.graceMs);
  if (!leaderEnded) {
    let stopWaiting: (() => void) | undefined;
    await Promise.race([agent.exited, sleep(REAP_WAIT_MS, (wake) => (stopWaiting = wake))]);
    stopWaiting?.();
  }
  await tail.poll();
  return { end, lastLine: tail.lastLine(), stop };
}

/** Sleeps `ms`, or less when the function handed to `register` is called. */
function sleep(ms: number, register: (wake: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms));
    register(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
