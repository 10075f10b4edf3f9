/**
 * What the unit's coroutine reads from an attempt's end: the agent failure behind an activity
 * failure, an attempt lost to infrastructure, and (prefetch) where the attempt's slot went
 * (activities/agent/prefetched-attempt.ts).
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { AgentFailureDetails, AgentFailureType } from '../errors';
import { SLOT_NOT_HANDED_OVER, isAgentFailureType } from '../errors';
import { infrastructureFailure } from '../plan/outcome-messages';
import { workflowNowIso } from './clock';

/** Where an attempt's slot went, as its unit's outcome says it. */
export function handedOver(ended: { readonly handedTo?: string; readonly handedInTicketOrder?: boolean }): {
  handedTo?: string;
  handedInTicketOrder?: true;
} {
  if (ended.handedTo === undefined) return {};
  return {
    handedTo: ended.handedTo,
    ...(ended.handedInTicketOrder === true ? { handedInTicketOrder: true } : {}),
  };
}

/** A prefetched attempt that never got a slot on its worker. */
export function isSlotNotHandedOver(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof ApplicationFailure &&
    error.cause.type === SLOT_NOT_HANDED_OVER
  );
}

export interface AttemptFailure extends AgentFailureDetails {
  /** undefined for a failure outside the agent (no agent retry). */
  readonly type: AgentFailureType | undefined;
}

/** The agent failure behind an activity failure, or undefined when it is something else. */
export function agentFailure(error: unknown): AttemptFailure | undefined {
  if (!(error instanceof ActivityFailure) || !(error.cause instanceof ApplicationFailure)) return undefined;
  const cause = error.cause;
  if (!isAgentFailureType(cause.type)) return undefined;
  const details = cause.details?.[0] as AgentFailureDetails | undefined;
  return {
    type: cause.type,
    exitCode: details?.exitCode ?? 1,
    error: details?.error ?? cause.message,
    startedAt: details?.startedAt ?? null,
    finishedAt: details?.finishedAt ?? workflowNowIso(),
    ...(details?.containment === undefined ? {} : { containment: details.containment }),
    ...(details?.changes ? { changes: details.changes } : {}),
    ...(details?.outOfBounds ? { outOfBounds: details.outOfBounds } : {}),
    ...(details?.host === undefined ? {} : { host: details.host }),
    ...(details === undefined ? {} : handedOver(details)),
    ...(details?.startedInTicketOrder === true ? { startedInTicketOrder: true } : {}),
  };
}

/** An attempt whose infrastructure retries ran out (or any other activity failure): the unit fails. */
export function lostAttempt(unitId: string, error: unknown): AttemptFailure {
  if (!(error instanceof ActivityFailure)) throw error;
  const cause = error.cause?.message ?? error.message;
  return {
    type: undefined,
    exitCode: 1,
    error: infrastructureFailure(unitId, cause),
    startedAt: null,
    finishedAt: workflowNowIso(),
  };
}
