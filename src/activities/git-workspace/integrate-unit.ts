/**
 * The activity that merges one SUCCEEDED unit's output into the run's integration (SPEC §9
 * "Refs"), in the order the workflow calls it (completion order), and moves
 * `refs/fanout/<workflow id>/integration` by compare-and-swap. The merge commit depends on the
 * run only (its identity), so a retried activity makes the same commit and finds the ref moved
 * already.
 */

import { ApplicationFailure } from '@temporalio/common';
import { realpath } from 'node:fs/promises';
import { integrationRef, type IntegrateAnswer, type IntegrateInput } from '../../contracts/git';
import { compareAndSwapRef, integrate, readRef, RefMoved } from './git-plumbing';

/** The merge commit's message: what it merged, and the run's trailers. */
export function integrationMessage(input: Pick<IntegrateInput, 'runId' | 'unitId'>): string {
  return `Integrate ${input.unitId}\n\n` + `Fanout-Run: ${input.runId}\n` + `Fanout-Unit: ${input.unitId}\n`;
}

export async function integrateUnit(input: IntegrateInput): Promise<IntegrateAnswer> {
  const source = await realpath(input.repo);
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
  const expected = (await readRef(source, ref)) === null ? null : input.integration;
  try {
    await compareAndSwapRef(source, ref, merged.sha, expected);
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
