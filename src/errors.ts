/**
 * The closed list of ways one agent attempt can fail (SPEC §4.2), as ApplicationFailure types.
 *
 * The activity throws each of them as a *non-retryable* ApplicationFailure whose message is the
 * exact SPEC text and whose details hold one {@link AgentFailureDetails}. The workflow, not the
 * activity retry policy, decides whether to try the unit again (SPEC §4.4). Anything else an
 * activity throws is an infrastructure fault and stays retryable at the activity level.
 *
 * | type              | thrown when                                              | operator sees          |
 * |-------------------|----------------------------------------------------------|------------------------|
 * | AgentNotFound     | the agent binary does not exist / is not on PATH         | `Could not find ...`   |
 * | AgentStartFailed  | spawning failed for another OS reason                    | `Failed to start ...`  |
 * | AgentTimeout      | the attempt ran past `timeout`                           | `... timed out after`  |
 * | AgentIdleTimeout  | the agent printed nothing for `idle_timeout`             | `... produced no output` |
 * | AgentExit         | the agent exited non-zero or died by a signal            | `... exited with code` |
 * | NoEvidence        | exit 0 but no counted artifact in `artifacts/`           | `... no worker-local ...` |
 * | DirectoryEscape   | an allowed directory resolves outside the repo (no retry) | `allowed_directory ... escapes` |
 * | ResolvedPathReserved | an allowed directory resolves into `.git`, the namespace root or another unit's area (SPEC §8.5; no retry) | the §2.3 text `... (via symlink '<raw>' -> '<resolved>')` |
 * | SymbolicLinkWrite | a path agent-fanout writes for the unit is or passes through a symlink (SPEC §8.4; no retry) | `'<path>' is a symbolic link; ...` |
 */

import type { AttemptContainment, FileChange } from './plan/types';

export const AGENT_FAILURE_TYPES = [
  'AgentNotFound',
  'AgentStartFailed',
  'AgentTimeout',
  'AgentIdleTimeout',
  'AgentExit',
  'NoEvidence',
  'DirectoryEscape',
  'ResolvedPathReserved',
  'SymbolicLinkWrite',
  /** SPEC §9: merging a git unit's starting point conflicts (never retried). */
  'StartConflict',
  /** SPEC §9: a git unit changed files outside its allowed directories (retried like any failure). */
  'OutsideArea',
] as const;

export type AgentFailureType = (typeof AGENT_FAILURE_TYPES)[number];

/** Failure types the workflow never retries, whatever `retry.max_attempts` says. */
export const NEVER_RETRIED: ReadonlySet<AgentFailureType> = new Set([
  'DirectoryEscape',
  'ResolvedPathReserved',
  'SymbolicLinkWrite',
  'StartConflict',
]);

/** The single details payload of an agent failure. */
export interface AgentFailureDetails {
  readonly exitCode: number;
  /** Exact SPEC §4.2 text; equals the failure's message. */
  readonly error: string;
  readonly startedAt: string | null;
  readonly finishedAt: string;
  /** What the attempt's agent ran under and left behind (SPEC §8.1, §8.3), once it started. */
  readonly containment?: AttemptContainment;
  /** What the attempt changed in the repo (SPEC §8.2), when observed. */
  readonly changes?: readonly FileChange[];
  readonly outOfBounds?: readonly Pick<FileChange, 'path' | 'kind'>[];
  /** The worker host that ran the attempt (SPEC §10), in a remote run. */
  readonly host?: string;
  /** The waiting unit this attempt handed its slot over to (prefetch, `on_failure: continue`). */
  readonly handedTo?: string;
  /** True when that slot went out in ticket order (slot-handover.ts). */
  readonly handedInTicketOrder?: boolean;
  /** A prefetched attempt that took its slot in ticket order (slot-handover.ts). */
  readonly startedInTicketOrder?: boolean;
}

/**
 * A prefetched first attempt (`--prefetch N`) that never got a slot on its worker: not an agent
 * attempt at all. Non-retryable; the workflow schedules the unit again the usual way.
 */
export const SLOT_NOT_HANDED_OVER = 'SlotNotHandedOver';

export function isAgentFailureType(value: unknown): value is AgentFailureType {
  return typeof value === 'string' && (AGENT_FAILURE_TYPES as readonly string[]).includes(value);
}

/**
 * Infrastructure failures an agent attempt throws as *retryable* ApplicationFailures: the activity
 * retry policy (not the workflow) tries the same agent attempt again, which never consumes an agent
 * attempt (SPEC §4.4). Anything unexpected an activity throws is retried the same way.
 *
 * | type            | thrown when                                                        | what follows |
 * |-----------------|--------------------------------------------------------------------|--------------|
 * | AgentLeftRunning | the worker shuts down (or the server gave the attempt up) while the agent runs; the agent is left running | the retry adopts the agent |
 * | AgentStatusLost | the agent ended but its supervisor died before recording the status | the retry starts the agent again |
 */
export const INFRASTRUCTURE_FAILURE_TYPES = ['AgentLeftRunning', 'AgentStatusLost'] as const;

export type InfrastructureFailureType = (typeof INFRASTRUCTURE_FAILURE_TYPES)[number];
