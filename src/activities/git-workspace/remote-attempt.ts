/**
 * The steps a git attempt of a remote run (SPEC §10) adds to the single-host ones: the worker's
 * clone and what the remote already holds for the attempt, its inputs fetched by SHA, its evidence
 * folder committed and pushed to the unit's evidence ref, its unit ref pushed with a lease, and a
 * remote that cannot be reached turned into a retryable failure.
 */

import { ApplicationFailure } from '@temporalio/common';
import { isAgentFailureType, type AgentFailureDetails } from '../../errors';
import type { AttemptSuccess } from '../types';
import { failureWithHost, refTaken, type EarlierState } from './earlier-try';
import {
  commitFiles,
  ensureRemoteClone,
  fetchCommits,
  filesOfFolder,
  pushRef,
  readRemoteRef,
  readRemoteRefs,
  RefMoved,
  runGit,
} from './git-plumbing';
import type { GitScope, RemoteScope } from './git-scope';
import { parseOutcome, readOutcome } from './recorded-outcome';

export function remoteOf(scope: GitScope): RemoteScope {
  if (scope.remote === undefined) throw new Error('a remote step of a git attempt without input.git.remote');
  return scope.remote;
}

/**
 * Makes the worker's clone, then asks the remote for the unit ref and the evidence ref at once.
 * The recorded outcome is this host's copy, else the one in the evidence commit (pushed by the
 * host that ran the attempt before, whichever it was).
 */
export async function remoteEarlierState(scope: GitScope): Promise<EarlierState> {
  const remote = remoteOf(scope);
  await ensureRemoteClone(remote.workdir, remote.url);
  const refs = await readRemoteRefs(scope.source, remote.url, [scope.ref, remote.evidenceRef]);
  const evidence = refs.get(remote.evidenceRef) ?? null;
  const { attempt } = scope.input;
  return {
    unitRef: refs.get(scope.ref) ?? null,
    recorded: async () => {
      const local = await readOutcome(scope.evidence.root, attempt, scope.owner);
      if (local !== null || evidence === null) return local;
      await fetchCommits(scope.source, remote.url, [evidence]);
      const shown = await runGit(['show', `${evidence}:attempt-${attempt}.json`], {
        cwd: scope.source,
        okCodes: [128],
      });
      return shown.code === 0 ? parseOutcome(shown.stdout, attempt, scope.owner) : null;
    },
  };
}

/** The base and the outputs the starting point merges, fetched into the clone (those it lacks). */
export async function fetchStartInputs(scope: GitScope): Promise<void> {
  const shas = [scope.git.base, ...scope.git.merges.map((merge) => merge.sha)];
  await fetchCommits(scope.source, remoteOf(scope).url, shas);
}

/** `Evidence of <unit> attempt <n>` and the run's trailers. */
export function evidenceMessage(scope: GitScope): string {
  const { runId, unit, attempt } = scope.input;
  return (
    `Evidence of ${unit.unitId} attempt ${attempt}\n\n` +
    `Fanout-Run: ${runId}\nFanout-Unit: ${unit.unitId}\nFanout-Attempt: ${attempt}\n`
  );
}

/** Tries of the evidence push when another try moved the evidence ref meanwhile. */
const EVIDENCE_PUSH_TRIES = 3;

/**
 * The evidence folder as a commit on the previous evidence commit (its files laid over that one's,
 * so earlier attempts' logs stay), pushed to the unit's evidence ref with a lease.
 */
export async function pushEvidence(scope: GitScope): Promise<string> {
  const remote = remoteOf(scope);
  for (let attempt = 1; ; attempt += 1) {
    const parent = await readRemoteRef(scope.source, remote.url, remote.evidenceRef);
    if (parent !== null) await fetchCommits(scope.source, remote.url, [parent]);
    const files = await filesOfFolder(scope.evidence.root);
    const sha = await commitFiles(scope.source, files, parent, scope.git.identity, evidenceMessage(scope));
    if (sha === parent) return sha;
    try {
      await pushRef(scope.source, remote.url, remote.evidenceRef, sha, parent);
      return sha;
    } catch (error) {
      if (!(error instanceof RefMoved) || attempt >= EVIDENCE_PUSH_TRIES) throw error;
    }
  }
}

/** The unit's output on the remote: its ref must not exist yet (or hold this very output). */
export async function pushUnitRef(scope: GitScope, output: string): Promise<void> {
  try {
    await pushRef(scope.source, remoteOf(scope).url, scope.ref, output, null);
  } catch (error) {
    if (error instanceof RefMoved) throw refTaken(scope, error.actual ?? '(absent)');
    throw error;
  }
}

/**
 * The success with the host that ran it (SPEC §10), when the worker said who it is; a success
 * recorded by another host (answered again here) keeps that host.
 */
export function successOnHost(scope: GitScope, success: AttemptSuccess): AttemptSuccess {
  const host = scope.remote?.host?.id;
  return host === undefined || success.host !== undefined ? success : { ...success, host };
}

/** An agent failure with the host that ran it in its details (unless they name one); anything else as it is. */
export function failureOnHost(scope: GitScope, error: unknown): unknown {
  const host = scope.remote?.host?.id;
  if (host === undefined || !(error instanceof ApplicationFailure) || !isAgentFailureType(error.type))
    return error;
  const details = error.details?.[0] as AgentFailureDetails | undefined;
  if (details === undefined || details.host !== undefined) return error;
  return failureWithHost(error, host);
}
