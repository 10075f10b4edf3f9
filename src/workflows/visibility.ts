/**
 * Keeps a run's search attributes (`src/contracts/search-attributes.ts`) current, so
 * `agent-fanout list` shows its status and units done. Only for runs the client started with
 * them: a server that does not know the attributes would fail the upsert, and a run started
 * before they existed must replay as it ran (hence also the patch marker).
 */
import { patched, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { FANOUT_PLAN, FANOUT_STATUS, FANOUT_UNITS_DONE } from '../contracts/search-attributes';
import { TERMINAL_STATUSES } from '../plan/types';
import type { RunState } from './run-state';

const PATCH_ID = 'fanout-search-attributes';

/** `status`: `running` while the run goes on, then how it ended. */
export function showInVisibility(state: RunState, status: string): void {
  if (workflowInfo().typedSearchAttributes.get(FANOUT_PLAN) === undefined) return;
  if (!patched(PATCH_ID)) return;
  const done = state.plan.workUnits.filter((unit) => TERMINAL_STATUSES.has(state.status(unit.unitId))).length;
  const current = workflowInfo().typedSearchAttributes;
  if (current.get(FANOUT_STATUS) === status && current.get(FANOUT_UNITS_DONE) === done) return;
  upsertSearchAttributes([
    { key: FANOUT_STATUS, value: status },
    { key: FANOUT_UNITS_DONE, value: done },
  ]);
}
