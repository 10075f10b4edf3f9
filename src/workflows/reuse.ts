/**
 * A retry's first step (SPEC §6): the units the retried run finished with success whose evidence
 * is still intact on disk end SUCCEEDED at once, without running. A small earlier result comes
 * inline; a stored one is read on the host a page at a time.
 */
import type { EarlierSuccessesPage, VerifyArtifactsInput } from '../activities';
import type { GitIntegration } from './git-integration';
import { hostActivities } from './host-activities';
import type { RunState } from './run-state';
import type { EarlierSuccess, FanoutInput } from '../contracts/run-types';

const { verifyArtifacts, readEarlierSuccesses } = hostActivities;

const PAGE_UNITS = 1000;

/**
 * In a git run (`integration` given) a reused unit needs its output commit, still present (checked
 * with its evidence); it is queued for its merge into the integration, in plan order, and counts
 * as reused once merged (scheduler-loop.ts).
 */
export async function reuseEarlierSuccesses(
  state: RunState,
  input: FanoutInput,
  integration?: GitIntegration,
): Promise<void> {
  const retryOf = input.retryOf;
  if (retryOf === undefined) return;
  const reusable = new Map<string, EarlierSuccess>();
  if (retryOf.succeeded !== undefined) {
    const known = Object.entries(retryOf.succeeded).filter(([unitId]) => state.has(unitId));
    const intact = await verifyArtifacts({
      repo: input.repo,
      namespaceRoot: state.plan.namespaceRoot,
      units: Object.fromEntries(known.map(([unitId, earlier]) => [unitId, earlier.artifacts])),
      ...(integration === undefined
        ? {}
        : { git: gitEvidence(retryOf.workflowId, known, input.git?.remote) }),
    });
    for (const unitId of intact) reusable.set(unitId, retryOf.succeeded[unitId] as EarlierSuccess);
  } else if (retryOf.resultFile !== undefined) {
    for (let offset: number | null = 0; offset !== null;) {
      const page: EarlierSuccessesPage = await readEarlierSuccesses({
        repo: input.repo,
        namespaceRoot: state.plan.namespaceRoot,
        resultFile: retryOf.resultFile,
        offset,
        limit: PAGE_UNITS,
        ...(integration === undefined ? {} : { git: { runId: retryOf.workflowId, ...remoteOf(input) } }),
      });
      for (const [unitId, earlier] of Object.entries(page.units)) reusable.set(unitId, earlier);
      offset = page.next;
    }
  }
  const rerun = new Set(retryOf.rerun ?? []);
  for (const unit of state.plan.workUnits) {
    const earlier = rerun.has(unit.unitId) ? undefined : reusable.get(unit.unitId);
    // A continued git retry: units an earlier execution reused (or ran) are not queued again.
    if (earlier === undefined || state.status(unit.unitId) !== 'PENDING') continue;
    if (integration === undefined) state.reuse(unit.unitId, earlier, retryOf.workflowId);
    else if (earlier.commit !== undefined) {
      integration.enqueue({
        kind: 'reused',
        unitId: unit.unitId,
        earlier: { ...earlier, commit: earlier.commit },
      });
    }
  }
}

/** Where a git run kept its units' evidence, and the commits that must still exist (SPEC §9 "Retry"). */
function gitEvidence(
  runId: string,
  known: readonly [string, EarlierSuccess][],
  remote: string | undefined,
): NonNullable<VerifyArtifactsInput['git']> {
  const commits: Record<string, string> = {};
  for (const [unitId, earlier] of known) if (earlier.commit !== undefined) commits[unitId] = earlier.commit;
  return { runId, commits, ...(remote === undefined ? {} : { remote }) };
}

/** A remote retry checks the earlier run's evidence on the remote it keeps (SPEC §10). */
function remoteOf(input: FanoutInput): { remote?: string } {
  return input.git?.remote === undefined ? {} : { remote: input.git.remote };
}
