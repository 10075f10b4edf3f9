/**
 * Inputs, results and heartbeat payload of the agent activities: plain JSON data only, so the
 * workflow can `import type` them without pulling Node APIs into its bundle.
 */

import type {
  ArtifactEntry,
  AttemptContainment,
  FileChange,
  OnFailure,
  OutOfBoundsChange,
  OverlapMode,
  UnitSettings,
  UnitStatus,
  WorkUnit,
} from '../plan/types';
import type { CommitIdentity, GitAttempt, GitAttemptOutput, GitRunResult } from '../contracts/git';

/** One agent attempt of one unit (SPEC §4.1). */
export interface AttemptInput {
  /** The workflow id; the agent sees it as `FANOUT_RUN_ID`. */
  readonly runId: string;
  /** Absolute real path of the shared checkout; the agent's cwd. */
  readonly repo: string;
  /** Relative, normalized POSIX path under the repo, e.g. `.agent/workers`. */
  readonly namespaceRoot: string;
  readonly unit: WorkUnit;
  readonly settings: UnitSettings;
  /** 1-based agent attempt (`FANOUT_ATTEMPT`); infrastructure retries keep the same number. */
  readonly attempt: number;
  /**
   * What SPEC §8.2 and §8.5 need to know of the rest of the plan (the confinement and
   * `agent.writable` are in `settings`); absent (inputs recorded before §8): no other units.
   */
  readonly containment?: PlanAreas;
  /** Set in a `workspace: git` run (SPEC §9): the attempt runs in a working tree of its own. */
  readonly git?: GitAttempt;
  /**
   * A remote run (SPEC §10): the attempt record's owner is this key (`attemptOwnerKey` in contracts/hosts.ts), not the
   * activity id, so an activity on the host's own queue may adopt the agent another activity started.
   */
  readonly ownerKey?: string;
  /** Set on an activity the workflow sent to the host's own queue after a lost heartbeat: adopt first. */
  readonly adopt?: boolean;
  /** Set in a run started with `--prefetch N` (slot-handover.ts): this attempt hands its slot over. */
  readonly handover?: SlotHandover;
}

/** How an attempt of a prefetching run takes and gives up its slot on its worker. */
export interface SlotHandover {
  /** The unit was started ahead of a free slot: its first attempt waits for one on the worker. */
  readonly waitForSlot: boolean;
  /** The run's failure policy: a last failure under `cancel` or `drain` closes the run's slots. */
  readonly onFailure: OnFailure;
  /** A waiting attempt's place in the run's prefetch order (1, 2, …: code-point order of units). */
  readonly ticket?: number;
  /** How many tickets the workflow had given out when it started this attempt. */
  readonly ticketsIssued?: number;
}

/** The plan's overlap mode and its units' areas, for one attempt (SPEC §8.2, §8.5). */
export interface PlanAreas {
  readonly overlap: OverlapMode;
  /**
   * Every unit's allowed directories as written, this one's included (SPEC §8.5 and out_of_bounds);
   * omitted for a large plan (see `attemptContainment`): then only this unit's are known here.
   */
  readonly areas?: readonly { readonly unitId: string; readonly allowedDirectories: readonly string[] }[];
}

/** What an attempt changed (SPEC §8.2); absent where nothing was observed (`off`, an adopted agent). */
export interface ObservedChanges {
  readonly changes?: readonly FileChange[];
  /** Out-of-bounds changes this attempt saw; the workflow adds the units that saw each. */
  readonly outOfBounds?: readonly Pick<OutOfBoundsChange, 'path' | 'kind'>[];
}

/** A successful attempt: exit 0 with evidence (SPEC §4.2). Failures are thrown, never returned. */
export interface AttemptSuccess extends ObservedChanges {
  readonly exitCode: 0;
  /** The counted evidence files, sorted by name. */
  readonly artifacts: ArtifactEntry[];
  /** ISO time just before the agent was spawned. */
  readonly startedAt: string;
  /** ISO time once nothing of the agent's process group was left. */
  readonly finishedAt: string;
  /** Absolute path of `logs/attempt-<n>.log` on the worker host. */
  readonly logPath: string;
  /** True when a worker that died had started this agent and this try followed it to its end. */
  readonly adopted: boolean;
  /** The waiting unit this attempt handed its slot over to, once it ended (prefetch). */
  readonly handedTo?: string;
  /** True when that slot went out in ticket order (slot-handover.ts): every earlier ticket had one. */
  readonly handedInTicketOrder?: boolean;
  /** A prefetched attempt that took its slot in ticket order: every earlier ticket had one first. */
  readonly startedInTicketOrder?: boolean;
  /** What the attempt's agent ran under and left behind (SPEC §8.1, §8.3). */
  readonly containment?: AttemptContainment;
  /** A git-mode attempt's starting point and output commit (SPEC §9). */
  readonly git?: GitAttemptOutput;
  /** The worker host that ran it (SPEC §10), in a remote run. */
  readonly host?: string;
}

/**
 * What an attempt is doing when it heartbeats. `released`: the worker is going away and left the
 * agent running; the next try of the same attempt adopts it.
 */
export type AgentPhase = 'preparing' | 'running' | 'stopping' | 'collecting' | 'released';

/**
 * The single heartbeat payload of {@link AttemptInput | an attempt}: liveness for the Web UI and,
 * for a later attempt of the same activity, the process group it may adopt.
 */
export interface AgentHeartbeat {
  readonly phase: AgentPhase;
  readonly attempt: number;
  /** The agent's pid (also its process group id); null before it started. */
  readonly pid: number | null;
  readonly pgid: number | null;
  /** ISO time the agent was spawned (by whichever try started it); null before it started. */
  readonly startedAt: string | null;
  /** Bytes the agent has written to its log during this attempt. */
  readonly bytes: number;
  /** The last few non-blank output lines, control sequences stripped, each cut to 200 chars. */
  readonly lastLines: readonly string[];
  readonly logPath: string;
  /** The worker host's id and own queue (SPEC §10): where a lost attempt is continued. */
  readonly host?: string;
  readonly hostQueue?: string;
}

/** One unit's line in the run summary (SPEC §5, §7.14). */
export interface SummaryUnit {
  readonly unitId: string;
  /** A terminal status. */
  readonly status: UnitStatus;
  readonly error: string | null;
  /** Whether an attempt was ever started (its namespace exists). */
  readonly launched: boolean;
  /** For a SUCCEEDED unit: the length of its evidence manifest. */
  readonly evidenceCount?: number;
  /** What its last attempt changed (SPEC §8.2), listed under its line. */
  readonly changes?: readonly FileChange[];
}

export interface SummaryInput {
  /** Absolute real path of the checkout. */
  readonly repo: string;
  readonly namespaceRoot: string;
  readonly evidencePattern: string;
  /** In plan order. Omitted when `resultFile` holds them. */
  readonly units?: readonly SummaryUnit[];
  /** A run's stored result (a large run): the summary's rows are read from it, on the host. */
  readonly resultFile?: { readonly path: string; readonly sha256: string };
  /** The workflow id of the run this one retries, if any. */
  readonly retryOf?: string;
  /** The run's out-of-bounds changes (SPEC §8.2). Read from `resultFile` when that is given. */
  readonly outOfBounds?: readonly OutOfBoundsChange[];
  /** A `workspace: git` run's commits and branch (SPEC §9 "End"): the summary names the branch. */
  readonly git?: GitRunResult;
  /**
   * A remote run (SPEC §10): the summary files are pushed as one commit to `summaryRef(runId)` on
   * `url` (from the worker's clone), not written under `repo`, which the worker does not have.
   */
  readonly remote?: { readonly url: string; readonly runId: string; readonly identity: CommitIdentity };
}

export interface SummaryResult {
  /** Absolute paths of the files written (a remote run: `<summary ref>:<path>`). */
  readonly files: string[];
  /** Summary files not written because their path holds a symbolic link (SPEC §8.4), with the text. */
  readonly skipped?: { readonly file: string; readonly reason: string }[];
}
