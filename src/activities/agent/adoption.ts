/**
 * Adoption (SPEC §4.4): when an attempt activity runs again for the same agent attempt (an
 * infrastructure retry: the worker died, shut down, or lost its heartbeat), it first looks for the
 * agent the interrupted try started, from the attempt record the supervisor wrote and the exit file
 * it writes when the agent ends:
 *
 * - the agent's leader still runs with the recorded start time: follow it (`running`);
 * - it ended and its status was recorded: the outcome is read from it (`finished`);
 * - it is gone without a status, or its pid now belongs to another process: start over (`gone`),
 *   with the same `FANOUT_ATTEMPT`: no agent attempt is consumed.
 *
 * A record is only considered by a retry of the activity that wrote it (same workflow id, workflow
 * run id and activity id, same agent attempt), never by a first try, so a record left by an earlier
 * run of the same unit is never adopted. In a remote run (SPEC §10) the owner's activity id is the
 * attempt's owner key, and a try the workflow bound to this host (`adopt`) looks even on its first try.
 */

import type { Info } from '@temporalio/activity';
import { setTimeout as delay } from 'node:timers/promises';
import {
  isAdoptableRecord,
  readAttemptRecord,
  recordedProcessState,
  sameOwner,
  type AttemptOwner,
  type AttemptRecord,
} from './attempt-record';
import { readAgentEnd, type AgentEnd } from './exit-status';
import type { AgentProcess } from './agent-process';
import type { AgentHeartbeat } from '../types';

export type PreviousLaunch =
  | { readonly kind: 'none'; readonly reason: string }
  | { readonly kind: 'running'; readonly record: AttemptRecord }
  | {
      readonly kind: 'finished';
      readonly record: AttemptRecord;
      readonly end: AgentEnd;
      /** Whether the recorded group may still hold members to stop (its pid was not reused). */
      readonly groupMayLinger: boolean;
    }
  | {
      readonly kind: 'gone';
      readonly record: AttemptRecord;
      readonly reason: string;
      readonly groupMayLinger: boolean;
    };

/** How long to wait for the exit file once the leader is gone while its supervisor still runs. */
export const STATUS_WAIT_MS = 2000;
const STATUS_POLL_MS = 50;

/**
 * The owner of records this activity writes and may adopt. A remote run's `ownerKey` (SPEC §10)
 * stands for the activity id: the activity on the host's own queue continues what the shared
 * queue's activity started.
 */
export function ownerOf(
  info: Pick<Info, 'workflowExecution' | 'activityId'>,
  ownerKey?: string,
): AttemptOwner {
  return {
    workflowId: info.workflowExecution?.workflowId ?? '',
    workflowRunId: info.workflowExecution?.runId ?? '',
    activityId: ownerKey ?? info.activityId,
  };
}

/** The last heartbeat of the interrupted try, when it is one of ours. */
export function previousHeartbeat(details: unknown): AgentHeartbeat | null {
  if (typeof details !== 'object' || details === null) return null;
  const beat = details as Partial<AgentHeartbeat>;
  return typeof beat.attempt === 'number' && typeof beat.phase === 'string' ? (beat as AgentHeartbeat) : null;
}

export interface AdoptionQuery {
  readonly info: Pick<Info, 'attempt' | 'heartbeatDetails' | 'workflowExecution' | 'activityId'>;
  /** The agent attempt (`FANOUT_ATTEMPT`) of the activity input. */
  readonly attempt: number;
  readonly recordPath: string;
  /** The activity input's `ownerKey` (a remote run). */
  readonly ownerKey?: string;
  /** The activity input's `adopt`: a first try bound to this host looks at the record too. */
  readonly adopt?: boolean;
}

/** What the interrupted try of this attempt left behind. */
export async function findPreviousLaunch(query: AdoptionQuery): Promise<PreviousLaunch> {
  const { info } = query;
  const firstTry = info.attempt <= 1 && info.heartbeatDetails === undefined;
  if (firstTry && query.adopt !== true) return none('first try of this attempt');
  const record = await readAttemptRecord(query.recordPath);
  if (record === null) return none('no attempt record: the agent was never started');
  if (
    !isAdoptableRecord(record) ||
    record.attempt !== query.attempt ||
    !sameOwner(record.owner, ownerOf(info, query.ownerKey))
  ) {
    return none('the attempt record belongs to another run');
  }
  const leader = await recordedProcessState(record.pid, record.processStartTicks, record);
  if (leader === 'alive') return { kind: 'running', record };
  const end =
    leader === 'exited'
      ? await endOnceRecorded(record)
      : await readAgentEnd(record.exitPath, record.launchId);
  const groupMayLinger = leader === 'exited';
  if (end !== null) return { kind: 'finished', record, end, groupMayLinger };
  const reason =
    leader === 'reused'
      ? `pid ${record.pid} belongs to another process now`
      : `agent pid ${record.pid} is gone and its exit status was never recorded`;
  return { kind: 'gone', record, reason, groupMayLinger };
}

function none(reason: string): PreviousLaunch {
  return { kind: 'none', reason };
}

/** The recorded end of an agent whose leader is gone: waits while its supervisor is still writing it. */
async function endOnceRecorded(record: AttemptRecord): Promise<AgentEnd | null> {
  const deadline = Date.now() + STATUS_WAIT_MS;
  for (;;) {
    const end = await readAgentEnd(record.exitPath, record.launchId);
    if (end !== null) return end;
    const supervisor = await recordedProcessState(record.supervisorPid, record.supervisorStartTicks, record);
    if (supervisor !== 'alive' || Date.now() >= deadline) {
      return readAgentEnd(record.exitPath, record.launchId);
    }
    await delay(STATUS_POLL_MS);
  }
}

/**
 * How often an agent nobody reaps for this worker (adopted, or its launcher died) is checked on:
 * its exit is only learnt this way, unlike a launched agent's, which wakes its follower at once.
 */
export const RECORD_POLL_MS = 200;

/**
 * A running agent started by another try, followed from here: its end is learnt by polling its
 * leader (pid and start time) and its exit file every `pollMs`.
 */
export function adoptedAgent(record: AttemptRecord, pollMs = RECORD_POLL_MS): AgentProcess {
  let watching = true;
  const exited = new Promise<number | null>((resolve) => {
    const watch = async (): Promise<void> => {
      while (watching) {
        const leader = await recordedProcessState(record.pid, record.processStartTicks, record);
        if (leader !== 'alive') {
          const end = await endOnceRecorded(record);
          if (watching) resolve(end?.kind === 'exited' ? end.exitCode : null);
          return;
        }
        await delay(pollMs);
      }
    };
    void watch();
  });
  return {
    pid: record.pid,
    pgid: record.pgid,
    exited,
    detach: () => {
      watching = false;
    },
  };
}
