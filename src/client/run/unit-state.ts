/** Where one unit of a run stands, for `logs`: its status now, or how it ended once the run has. */
import { TERMINAL_STATUSES, type UnitStatus } from '../../plan/types';
import { progressQuery } from '../../workflows/messages';
import { CommandFailed } from '../errors';
import { awaitResult, type FanoutHandle } from '../fanout-client';
import { ANSWER_WAIT_MS } from './ask-run';

const RESULT_WAIT_MS = 3000;

export type UnitState = UnitStatus | 'run closed' | undefined;

export function hasEnded(status: UnitState): boolean {
  return status === 'run closed' || (status !== undefined && TERMINAL_STATUSES.has(status));
}

/** A unit that ended (or whose run ended) before any agent of it started: it will never have a log. */
export function neverStarted(
  workflowId: string,
  unitId: string,
  status: UnitStatus | 'run closed',
): CommandFailed {
  const how = status === 'run closed' ? 'its run has ended' : `it ended ${status}`;
  return new CommandFailed(
    `unit '${unitId}' has no log: ${how} without starting an agent, so it never will; ` +
      `\`agent-fanout status ${workflowId}\` says why, \`agent-fanout retry ${workflowId}\` runs it again`,
  );
}

/** The unit's status from the `progress` query, or `run closed` once the run has ended. */
export async function unitStatus(handle: FanoutHandle, unitId: string): Promise<UnitState> {
  const description = await handle.describe();
  if (description.status.name !== 'RUNNING') {
    // The result says how the unit ended (a cancelled run's needs a worker: do not wait for one).
    const timeout = new Promise<undefined>((resolve) =>
      setTimeout(() => resolve(undefined), RESULT_WAIT_MS).unref(),
    );
    const result = await Promise.race([awaitResult(handle).catch(() => undefined), timeout]);
    return result?.units[unitId]?.status ?? 'run closed';
  }
  try {
    // Without a worker the query waits until the server gives up: unknown is the honest answer sooner.
    const timeout = new Promise<undefined>((resolve) =>
      setTimeout(() => resolve(undefined), ANSWER_WAIT_MS).unref(),
    );
    const progress = await Promise.race([handle.query(progressQuery), timeout]);
    return progress?.units.find((unit) => unit.unit_id === unitId)?.status;
  } catch {
    return undefined; // not answerable yet: the run has not had its first workflow task
  }
}
