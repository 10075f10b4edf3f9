/**
 * What a remote run's attempt (SPEC §10) adds around the agent: every heartbeat names this host
 * and its queue from the very first one, the success and agent failures record the host, an agent
 * left running says on which host's queue to adopt it, and a live entry marks the agent on disk
 * while it runs (hosts/live-entries.ts).
 */
import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { HostIdentity } from '../../contracts/hosts';
import { attemptOwnerKey } from '../../contracts/hosts';
import { isAgentFailureType, type AgentFailureDetails } from '../../errors';
import { liveEntryPath, releaseLiveEntry, removeLiveEntry, writeLiveEntry } from '../hosts/live-entries';
import type { AttemptInput, AttemptSuccess } from '../types';
import type { AttemptDeps } from './attempt-deps';
import { preparingHeartbeat, sendAgentHeartbeat, stampHeartbeatsWithHost } from './heartbeat';

/** This worker's host when `input` belongs to a remote run, else undefined. */
export function remoteHostOf(deps: AttemptDeps, input: AttemptInput): HostIdentity | undefined {
  return input.git?.remote === undefined ? undefined : deps.host;
}

/** Runs `attempt` as a remote attempt on `host`: host-stamped heartbeats, success and failures. */
export async function onHost(
  context: Pick<Context, 'heartbeat'>,
  host: HostIdentity,
  input: AttemptInput,
  attempt: () => Promise<AttemptSuccess>,
): Promise<AttemptSuccess> {
  stampHeartbeatsWithHost(context, host);
  // Sent before any fetch: a host that dies from here on is where the workflow looks first.
  sendAgentHeartbeat(context, preparingHeartbeat(input.attempt));
  try {
    // A success another host recorded (answered again here) keeps that host.
    const success = await attempt();
    return { ...success, host: success.host ?? host.id };
  } catch (error) {
    throw withHost(error, host);
  }
}

/** An agent failure gains the host in its details; an agent left running names the host's queue. */
function withHost(error: unknown, host: HostIdentity): unknown {
  if (!(error instanceof ApplicationFailure)) return error;
  if (isAgentFailureType(error.type)) {
    const recorded = error.details?.[0] as AgentFailureDetails | undefined;
    if (recorded?.host !== undefined) return error;
    const details = { ...recorded, host: host.id };
    return copyWithDetails(error, [details]);
  }
  if (error.type === 'AgentLeftRunning')
    return copyWithDetails(error, [{ host: host.id, hostQueue: host.queue }]);
  return error;
}

function copyWithDetails(error: ApplicationFailure, details: unknown[]): ApplicationFailure {
  return ApplicationFailure.create({
    message: error.message,
    ...(error.type === undefined || error.type === null ? {} : { type: error.type }),
    nonRetryable: error.nonRetryable === true,
    details,
    ...(error.category === undefined || error.category === null ? {} : { category: error.category }),
  });
}

/** The live entry of an attempt's agent on this host: written now, ended with the attempt. */
export interface LiveMark {
  /** `released`: the agent was left running on purpose; its entry stays for whoever comes next. */
  end(released: boolean): Promise<void>;
}

export async function markLive(
  host: HostIdentity,
  input: AttemptInput,
  workflowId: string,
  where: { readonly tree: string; readonly recordPath: string },
): Promise<LiveMark> {
  const ownerKey = input.ownerKey ?? attemptOwnerKey(input.unit.unitId, input.attempt);
  const file = liveEntryPath(host.workdir, ownerKey, workflowId);
  await writeLiveEntry(file, {
    workflowId,
    unitId: input.unit.unitId,
    attempt: input.attempt,
    host: host.id,
    recordPath: where.recordPath,
    tree: where.tree,
  });
  return {
    end: async (released) => {
      if (released) releaseLiveEntry(file);
      else await removeLiveEntry(file);
    },
  };
}
