/**
 * Nothing outlives its attempt (SPEC §8.3): the Perl supervisor, a child subreaper, counts what
 * the agent left running when its leader exited (`strayProcesses` in the exit file), then stops
 * it all before it exits itself. The attempt ends only once that sweep is over, so this waits for
 * the supervisor to go, bounded: it gives the strays the grace, then a SIGKILL's worth of time.
 */

import type { Logger } from '@temporalio/common';
import { setTimeout as delay } from 'node:timers/promises';
import { readAttemptRecord, recordedProcessState } from '../agent/attempt-record';
import { readAgentEnd } from '../agent/exit-status';
import type { AttemptInput } from '../types';

/** Beyond the grace, how long the supervisor's SIGKILL rounds may take before this gives up. */
export const SWEEP_MARGIN_MS = 35_000;
const SWEEP_POLL_MS = 50;

/**
 * Waits for the supervisor of the agent recorded at `recordPath` to finish its sweep, then returns
 * the count it recorded (null when it counted none: no record, or an exit file without the count).
 * Never throws.
 */
export async function awaitStraySweep(
  recordPath: string,
  attempt: Pick<AttemptInput, 'unit' | 'settings'>,
  log: Pick<Logger, 'info' | 'warn'>,
  /** What the supervisor counted, when this worker saw it exit after its sweep: nothing to wait for. */
  swept?: { readonly strayProcesses: number | null },
): Promise<number | null> {
  const unitId = attempt.unit.unitId;
  if (swept !== undefined) {
    const count = swept.strayProcesses;
    if (count !== null && count > 0) log.info('Stopped processes the agent left running', { unitId, count });
    return count;
  }
  const record = await readAttemptRecord(recordPath);
  if (record === null) return null;
  const giveUpAt = Date.now() + attempt.settings.grace.ms + SWEEP_MARGIN_MS;
  const supervisorAlive = async (): Promise<boolean> =>
    (await recordedProcessState(record.supervisorPid, record.supervisorStartTicks, record)) === 'alive';
  let sweeping = await supervisorAlive();
  while (sweeping && Date.now() < giveUpAt) {
    await delay(SWEEP_POLL_MS);
    sweeping = await supervisorAlive();
  }
  const end = await readAgentEnd(record.exitPath, record.launchId);
  const count = end?.kind === 'exited' ? end.strayProcesses : null;
  if (count !== null && count > 0) log.info('Stopped processes the agent left running', { unitId, count });
  if (sweeping) log.warn('The agent supervisor was still stopping what the agent left running', { unitId });
  return count;
}
