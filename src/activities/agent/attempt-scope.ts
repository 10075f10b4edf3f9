/**
 * One attempt as the agent side sees it: what it works with (AttemptScope), what its heartbeats
 * describe (LiveState), and where the followed agent's attempt began (Origin).
 */

import type { Context } from '@temporalio/activity';
import type { NamespacePaths } from '../unit-files/namespace';
import type { ArtifactSnapshot } from '../unit-files/evidence';
import type { AttemptContainment, ConfinementMode } from '../../plan/types';
import type { AgentPhase, AttemptInput } from '../types';
import type { AgentProcess } from './agent-process';
import type { AttemptDeps } from './attempt-deps';
import type { Heartbeater } from './heartbeat';
import type { LogTail } from './output-tail';

/** Mutable view of the attempt that heartbeats describe. */
export interface LiveState {
  phase: AgentPhase;
  agent: AgentProcess | null;
  startedAt: string | null;
  tail: LogTail | null;
  /** True when this try followed an agent an earlier, interrupted try had started. */
  adopted?: boolean;
  /** The confinement the agent runs under and, once it ended, what it left running. */
  containment?: { -readonly [K in keyof AttemptContainment]: AttemptContainment[K] };
}

export interface AttemptScope {
  readonly deps: AttemptDeps;
  readonly input: AttemptInput;
  readonly context: Context;
  readonly repo: string;
  readonly paths: NamespacePaths;
  readonly logPath: string;
  readonly state: LiveState;
  readonly heartbeater: Heartbeater;
  /**
   * Snapshots what the agent may change (SPEC §8.2) just before it starts, under the mode it will
   * run under; resolves to the newest mtime/ctime seen.
   */
  readonly takeChangeBaseline: (mode: ConfinementMode) => Promise<number>;
}

/** Where the followed agent's attempt began: its start, its log offset, its evidence snapshot. */
export interface Origin {
  readonly startedAtMs: number;
  readonly startedAt: string;
  readonly logPath: string;
  readonly logOffset: number;
  readonly artifactsBefore: ArtifactSnapshot;
  readonly lastOutputAtMs?: number;
}
