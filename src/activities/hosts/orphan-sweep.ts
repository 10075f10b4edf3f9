/**
 * A returning host's orphans (SPEC §10): an agent a remote attempt started on this host, which no
 * activity of this process follows, and whose run has closed or gave the attempt up after
 * `host_loss_timeout` (ABANDONED_ATTEMPTS_QUERY). Such an agent is stopped (its process group, as a
 * cancellation stops it), its working tree and live entry removed, and nothing is pushed: the
 * attempt already started over elsewhere. Every other entry is left for the activity that adopts it.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { rm } from 'node:fs/promises';
import type { AbandonedAttempt } from '../../contracts/hosts';
import { ABANDONED_ATTEMPTS_QUERY } from '../../contracts/hosts';
import { readAttemptRecord, recordedProcessState } from '../agent/attempt-record';
import { stopProcessGroup } from '../agent/process-group';
import { isFollowedHere, readLiveEntries, type LiveEntry } from './live-entries';

/** How a run stands for the sweep: closed (or unknown to the server), its abandoned attempts, or unknown. */
export type RunStanding = 'closed' | readonly AbandonedAttempt[] | undefined;

export type RunLookup = (workflowId: string) => Promise<RunStanding>;

/** How long an orphan's group gets between SIGTERM and SIGKILL. */
export const ORPHAN_GRACE_MS = 5000;

export interface SweptOrphan {
  readonly entry: LiveEntry;
  /** Why it was an orphan. */
  readonly reason: 'run closed' | 'attempt abandoned';
  /** Whether a process of its group was still running and got signalled. */
  readonly stopped: boolean;
}

/** Stops and removes the orphans among `<workdir>/live/` entries; returns what it swept. */
export async function sweepOrphans(workdir: string, lookup: RunLookup): Promise<SweptOrphan[]> {
  const swept: SweptOrphan[] = [];
  for (const { file, entry } of await readLiveEntries(workdir)) {
    if (isFollowedHere(file)) continue;
    const reason = orphanReason(entry, await lookup(entry.workflowId));
    // An activity of this process may have taken the entry over while the server answered.
    if (reason === undefined || isFollowedHere(file)) continue;
    const stopped = await stopRecordedAgent(entry.recordPath);
    await rm(entry.tree, { recursive: true, force: true });
    await rm(file, { force: true });
    swept.push({ entry, reason, stopped });
  }
  return swept;
}

function orphanReason(entry: LiveEntry, standing: RunStanding): SweptOrphan['reason'] | undefined {
  if (standing === undefined) return undefined;
  if (standing === 'closed') return 'run closed';
  const abandoned = standing.some(
    (a) => a.unitId === entry.unitId && a.attempt === entry.attempt && a.host === entry.host,
  );
  return abandoned ? 'attempt abandoned' : undefined;
}

/** Stops the recorded agent's group unless its pid now belongs to another process. */
async function stopRecordedAgent(recordPath: string): Promise<boolean> {
  const record = await readAttemptRecord(recordPath);
  if (record === null) return false;
  const leader = await recordedProcessState(record.pid, record.processStartTicks, record);
  if (leader === 'reused') return false;
  const stop = await stopProcessGroup(record.pgid, ORPHAN_GRACE_MS);
  return stop.signals.length > 0;
}

/** The real lookup: `describe` the run's latest execution, then ask it for its abandoned attempts. */
export function runLookupThrough(client: Client): RunLookup {
  return async (workflowId) => {
    const handle = client.workflow.getHandle(workflowId);
    try {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING' && description.status.name !== 'PAUSED') return 'closed';
      return await handle.query<readonly AbandonedAttempt[]>(ABANDONED_ATTEMPTS_QUERY);
    } catch (error) {
      return error instanceof WorkflowNotFoundError ? 'closed' : undefined;
    }
  };
}
