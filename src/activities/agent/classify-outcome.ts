/**
 * The outcome of one attempt, SPEC §4.2 rows in order (first match wins), and the failure the
 * activity throws for it. Pure, apart from building the ApplicationFailure.
 */

import { ApplicationFailure } from '@temporalio/common';
import type { AgentFailureDetails, AgentFailureType } from '../../errors';
import type { ArtifactEntry, AttemptContainment, Duration } from '../../plan/types';
import * as messages from './messages';
import type { ObservedChanges } from '../types';

/** What is known once an attempt is over (cancellation is not an outcome: it is rethrown). */
export type AttemptFacts =
  | { readonly kind: 'not-started'; readonly binary: string; readonly error: NodeJS.ErrnoException }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'idle' }
  | {
      readonly kind: 'exited';
      readonly exitCode: number;
      readonly lastLine: string | null;
      /** Counted files; only looked at on exit 0. */
      readonly evidence: readonly ArtifactEntry[];
    };

export interface OutcomeContext {
  readonly unitId: string;
  readonly timeout: Duration;
  readonly idleTimeout: Duration;
  /** Absolute `artifacts/` path, quoted in the no-evidence text. */
  readonly artifactDir: string;
}

export type AttemptOutcome =
  | { readonly ok: true; readonly artifacts: readonly ArtifactEntry[] }
  | {
      readonly ok: false;
      readonly type: AgentFailureType;
      readonly exitCode: number;
      readonly message: string;
    };

function failed(type: AgentFailureType, exitCode: number, message: string): AttemptOutcome {
  return { ok: false, type, exitCode, message };
}

/** The OS error as Node reports it, e.g. `spawn /repo/agent EACCES`. */
function osErrorText(error: NodeJS.ErrnoException): string {
  return error.message;
}

export function classifyOutcome(context: OutcomeContext, facts: AttemptFacts): AttemptOutcome {
  switch (facts.kind) {
    case 'not-started':
      return facts.error.code === 'ENOENT'
        ? failed('AgentNotFound', 1, messages.agentNotFound(facts.binary))
        : failed('AgentStartFailed', 1, messages.agentStartFailed(osErrorText(facts.error)));
    case 'timeout':
      return failed('AgentTimeout', 1, messages.agentTimedOut(context.unitId, context.timeout.text));
    case 'idle':
      return failed('AgentIdleTimeout', 1, messages.agentIdle(context.unitId, context.idleTimeout.text));
    case 'exited':
      if (facts.exitCode !== 0) {
        return failed(
          'AgentExit',
          facts.exitCode,
          messages.agentExited(context.unitId, facts.exitCode, facts.lastLine),
        );
      }
      if (facts.evidence.length === 0) {
        return failed('NoEvidence', 0, messages.noEvidence(context.unitId, context.artifactDir, 0));
      }
      return { ok: true, artifacts: facts.evidence };
  }
}

/** The non-retryable failure an attempt throws; the workflow decides about agent retries. */
export function agentFailure(
  type: AgentFailureType,
  exitCode: number,
  message: string,
  times: {
    readonly startedAt: string | null;
    readonly finishedAt: string;
    readonly containment?: AttemptContainment;
  },
  observed: ObservedChanges = {},
): ApplicationFailure {
  const details: AgentFailureDetails = { exitCode, error: message, ...times, ...observed };
  return ApplicationFailure.create({ message, type, nonRetryable: true, details: [details] });
}
