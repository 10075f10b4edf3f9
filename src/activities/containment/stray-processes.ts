/**
 * Nothing outlives its attempt (SPEC §8.3): the Perl supervisor, a child subreaper, counts what
 * the agent left running when its leader exited (`strayProcesses` in the exit file), then stops
 * it all before it exits itself. The attempt ends only once that sweep is over, so this waits for
 * the supervisor to go, bounded: it gives the strays the grace, then a SIGKILL's worth of time.
 */

import type { Logger } from '@temporalio/common';
import { setTimeout as delay } from 'node:timers/promises';
import { readAttemptRecord, recordedProcessState } from '../attempt-record';
import { readAgentEnd } from '../exit-status';
import type { AttemptInput } from '../types';

/** Beyond the grace, how long the supervisor's SIGKILL rounds may take before this gives up. */
export const SWEEP_MARGIN_MS = 35_000;
const SWEEP_POLL_MS = 50;

/** The launch whose supervisor sweeps: its attempt record and exit file. */
export interface SweepTarget {
  readonly recordPath: string;
  readonly exitPath: string;
  readonly launchId: string;
}

/**
 * Waits for the agent's supervisor to finish its sweep, then returns the count it recorded (null
 * when it counted none: the Node supervisor, or an agent that never started). Never throws.
 */
export async function awaitStraySweep(
  launch: SweepTarget,
  attempt: Pick<AttemptInput, 'unit' | 'settings'>,
  log: Pick<Logger, 'info' | 'warn'>,
): Promise<number | null> {
  const graceMs = attempt.settings.grace.ms;
  const unitId = attempt.unit.unitId;
  const record = await readAttemptRecord(launch.recordPath);
  let done = true;
  if (record !== null && record.launchId === launch.launchId) {
    const giveUpAt = Date.now() + graceMs + SWEEP_MARGIN_MS;
    const supervisorAlive = async (): Promise<boolean> =>
      (await recordedProcessState(record.supervisorPid, record.supervisorStartTicks, record)) === 'alive';
    while ((done = !(await supervisorAlive())) === false && Date.now() < giveUpAt) await delay(SWEEP_POLL_MS);
  }
  const end = await readAgentEnd(launch.exitPath, launch.launchId);
  const count = end?.kind === 'exited' ? end.strayProcesses : null;
  if (count !== null && count > 0) log.info('Stopped processes the agent left running', { unitId, count });
  if (!done) log.warn('The agent supervisor was still stopping what the agent left running', { unitId });
  return count;
}
