/**
 * The activity that merges one SUCCEEDED unit's output into the run's integration (SPEC §9
 * "Refs"), in the order the workflow calls it (completion order), and moves
 * `refs/fanout/<workflow id>/integration` by compare-and-swap. The merge commit depends on the
 * run only (its identity), so a retried activity makes the same commit and finds the ref moved
 * already. In a remote run (SPEC §10) the merge is made in the worker's clone, from commits
 * fetched by SHA, and the ref is pushed with a lease.
 */

import { ApplicationFailure } from '@temporalio/common';
import { realpath } from 'node:fs/promises';
import { integrationRef, type IntegrateAnswer, type IntegrateInput } from '../../contracts/git';
import { fetchCommits, integrate, localRefs, RefMoved, remoteRefs, type RefStore } from './git-plumbing';
import { cloneOf, reachingRemote, type WorkerDeps } from './remote-clone';

/** The merge commit's message: what it merged, and the run's trailers. */
export function integrationMessage(input: Pick<IntegrateInput, 'runId' | 'unitId'>): string {
  return `Integrate ${input.unitId}\n\n` + `Fanout-Run: ${input.runId}\n` + `Fanout-Unit: ${input.unitId}\n`;
}

/** @param deps the worker's host (its work directory holds the clone of a remote run's remote). */
export async function integrateUnit(input: IntegrateInput, deps: WorkerDeps = {}): Promise<IntegrateAnswer> {
  const url = input.remote;
  if (url === undefined) return integrateIn(await realpath(input.repo), input, localRefs);
  return reachingRemote(async () => {
    const clone = await cloneOf(deps, url);
    await fetchCommits(clone, url, [input.integration, input.output]);
    return integrateIn(clone, input, (source) => remoteRefs(source, url));
  });
}

async function integrateIn(
  source: string,
  input: IntegrateInput,
  refsOf: (source: string) => RefStore,
): Promise<IntegrateAnswer> {
  const refs = refsOf(source);
  const merged = await integrate(
    source,
    input.integration,
    input.output,
    input.identity,
    integrationMessage(input),
  );
  if (merged.kind === 'conflict') return { kind: 'conflict', paths: merged.paths };
  const ref = integrationRef(input.runId);
  // Before the first unit the ref does not exist and the integration is the base.
  const expected = (await refs.read(ref)) === null ? null : input.integration;
  try {
    await refs.swap(ref, merged.sha, expected);
  } catch (error) {
    if (!(error instanceof RefMoved)) throw error;
    throw ApplicationFailure.create({
      message: error.message,
      type: 'IntegrationRefMoved',
      nonRetryable: true,
    });
  }
  return { kind: 'integrated', integration: merged.sha };
}
