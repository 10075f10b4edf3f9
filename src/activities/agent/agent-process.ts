/**
 * What starting an agent takes and gives, shared by the spawn path, both supervisors, the launcher
 * and adoption: the options of a launch, the supervisor's answer, and the running agent.
 */

import type { spawn as nodeSpawn } from 'node:child_process';
import type { AttemptRecordTemplate } from './attempt-record';
import type { LandlockLaunch } from '../containment/landlock-spec';

export type SpawnFn = typeof nodeSpawn;

/** Which supervisor starts the agent. */
export type SupervisorKind = 'perl' | 'node';

/** A running agent this worker started or adopted. */
export interface AgentProcess {
  readonly pid: number;
  /** Equal to `pid`: the agent leads its own group. */
  readonly pgid: number;
  /**
   * The leader's exit code once it ended (a signal death is minus the signal number, SIGKILL: -9),
   * or null when its status was lost (its supervisor died without recording it). Never rejects.
   */
  readonly exited: Promise<number | null>;
  /**
   * Once `exited` settled and the supervisor is known to have exited too (so its sweep of the
   * agent's leftovers is over): the leftovers it counted, null when it recorded none. Undefined
   * otherwise (an adopted agent, a supervisor that outlived its launcher): then the record tells.
   */
  readonly sweptStrays?: () => { readonly strayProcesses: number | null } | undefined;
  /** Stops waiting for the agent; it keeps running, for another worker to adopt. */
  detach(): void;
}

export type SpawnOutcome =
  | { readonly ok: true; readonly agent: AgentProcess }
  | { readonly ok: false; readonly error: NodeJS.ErrnoException };

export interface SpawnOptions {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly logPath: string;
  readonly recordPath: string;
  readonly record: AttemptRecordTemplate;
  /** Wall-clock ms after which the supervisor stops an agent nobody stopped (a backstop only). */
  readonly deadlineMs: number;
  readonly graceMs: number;
  /** @default 'perl' where this host has a usable perl, else 'node' */
  readonly supervisor?: SupervisorKind;
  /** Confine the agent with Landlock (SPEC §8.1); only the Perl supervisor can. */
  readonly landlock?: LandlockLaunch;
}

/** How a launched supervisor's end was learnt. */
export type SupervisorEnd = 'reaped' | 'launcher-gone';

/** The supervisor's answer to the launch. */
export type SupervisorAnswer =
  | { readonly type: 'started'; readonly pid: number }
  | { readonly type: 'spawn-error'; readonly error: { code: string | null; message: string } }
  | { readonly type: 'launch-failed'; readonly message: string };

/** A launched supervisor: its answer, its end, and how to stop waiting for it. */
export interface Launched {
  readonly answer: SupervisorAnswer | null;
  readonly ended: Promise<SupervisorEnd>;
  readonly detach: () => void;
}
