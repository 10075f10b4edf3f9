/**
 * What an agent attempt depends on, given by the worker (index.ts) or by a test: how to spawn, the
 * clock, the environment, and how often to poll and heartbeat.
 */

import type { SpawnFn, SupervisorKind } from './agent-process';
import type { HostIdentity } from '../../contracts/hosts';
import type { RunOpenProbe } from './run-open';

export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  now(): number;
}

export interface AttemptTiming {
  /** How often the log is read and the time limits checked. */
  readonly pollMs: number;
  readonly heartbeatMs: number;
}

export interface AttemptDeps {
  readonly spawn: SpawnFn;
  /** Holds this worker to one supervisor (a worker forced to Node's cannot confine: SPEC §8.1). */
  readonly supervisor?: SupervisorKind;
  readonly clock: Clock;
  /** The worker's environment, the bottom layer of the agent's. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly timing: AttemptTiming;
  /** Asked when the server no longer knows the attempt: is its run still open? @default the worker's client */
  readonly isRunOpen?: RunOpenProbe;
  /** This worker's host (SPEC §10): its id, own queue and work directory. @default from the environment */
  readonly host?: HostIdentity;
}
