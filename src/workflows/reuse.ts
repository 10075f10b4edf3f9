/**
 * A retry's first step (SPEC §6): the units the retried run finished with success whose evidence
 * is still intact on disk end SUCCEEDED at once, without running. A small earlier result comes
 * inline; a stored one is read on the host a page at a time.
 */
import type { EarlierSuccessesPage } from '../activities';
import { hostActivities } from './host-activities';
import type { RunState } from './run-state';
import type { EarlierSuccess, FanoutInput } from '../contracts/run-types';

const { verifyArtifacts, readEarlierSuccesses } = hostActivities;

const PAGE_UNITS = 1000;

export async function reuseEarlierSuccesses(state: RunState, input: FanoutInput): Promise<void> {
  const retryOf = input.retryOf;
  if (retryOf === undefined) return;
  const reusable = new Map<string, EarlierSuccess>();
  if (retryOf.succeeded !== undefined) {
    const known = Object.entries(retryOf.succeeded).filter(([unitId]) => state.has(unitId));
    const intact = await verifyArtifacts({
      repo: input.repo,
      namespaceRoot: state.plan.namespaceRoot,
      units: Object.fromEntries(known.map(([unitId, earlier]) => [unitId, earlier.artifacts])),
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
      });
      for (const [unitId, earlier] of Object.entries(page.units)) reusable.set(unitId, earlier);
      offset = page.next;
    }
  }
  const rerun = new Set(retryOf.rerun ?? []);
  for (const unit of state.plan.workUnits) {
    const earlier = rerun.has(unit.unitId) ? undefined : reusable.get(unit.unitId);
    if (earlier !== undefined) state.reuse(unit.unitId, earlier, retryOf.workflowId);
  }
}
