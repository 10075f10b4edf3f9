/**
 * What the live display shows of a run, built from the `progress` query while it runs (plus the
 * agents' last output lines) or from the result once it has ended.
 */
import type { FanoutResult, UnitStatus } from '../../plan/types';
import { TERMINAL_STATUSES } from '../../plan/types';
import type { Progress } from '../../contracts/run-types';
import { shortSha } from '../output/commit-text';

export interface UnitView {
  readonly unitId: string;
  readonly status: UnitStatus;
  readonly attempts: number;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  /** The agent's last output line while it runs; why it waits; or how it ended. */
  readonly note: string;
  readonly noteKind: 'output' | 'why' | 'error' | 'done' | 'none';
  /** Reused by a retry: shown as REUSED, without the earlier run's times. */
  readonly reused?: boolean;
}

export interface RunView {
  readonly workflowId: string;
  readonly planName: string;
  /** `running`, `cancelling`, or how the run ended. */
  readonly state: string;
  /** In plan order. */
  readonly units: readonly UnitView[];
}

/** Live: the progress answer with each running agent's last output line. */
export function viewFromProgress(
  workflowId: string,
  progress: Progress,
  lastLines: ReadonlyMap<string, string>,
): RunView {
  return {
    workflowId,
    planName: progress.plan_name,
    state: progress.state,
    units: progress.units.map((unit) => {
      const output = lastLines.get(unit.unit_id);
      const base = {
        unitId: unit.unit_id,
        status: unit.status,
        attempts: unit.attempts,
        ...runTimes(unit.started_at, unit.finished_at, unit.reused_from),
      };
      if (unit.reused_from !== undefined)
        return { ...base, note: `reused from ${unit.reused_from}`, noteKind: 'done' };
      if (unit.status === 'RUNNING' && output !== undefined)
        return { ...base, note: output, noteKind: 'output' };
      // A running unit's error is its previous attempt's; only an ended unit's error is news.
      if (unit.error !== null && isTerminal(unit.status))
        return { ...base, note: unit.error, noteKind: 'error' };
      if (unit.why !== undefined) return { ...base, note: unit.why, noteKind: 'why' };
      return { ...base, note: '', noteKind: 'none' };
    }),
  };
}

/** Final: every unit as the result records it (the result lists units in plan order). */
export function viewFromResult(
  workflowId: string,
  planName: string,
  result: FanoutResult,
  lastLines: ReadonlyMap<string, string> = new Map(),
): RunView {
  return {
    workflowId,
    planName,
    state: result.status,
    units: Object.entries(result.units).map(([unitId, unit]) => {
      const base = {
        unitId,
        status: unit.status,
        attempts: unit.attempts,
        ...runTimes(unit.started_at, unit.finished_at, unit.reused_from),
      };
      if (unit.error !== null) return { ...base, note: unit.error, noteKind: 'error' as const };
      // A git run's unit (SPEC §9) names its output commit first.
      const commit = unit.commit === undefined ? '' : `commit ${shortSha(unit.commit)}, `;
      if (unit.reused_from !== undefined)
        return { ...base, note: `${commit}reused from ${unit.reused_from}`, noteKind: 'done' as const };
      const count = unit.artifacts.length;
      if (count > 0)
        return {
          ...base,
          note: `${commit}${count} artifact${count === 1 ? '' : 's'}`,
          noteKind: 'done' as const,
        };
      const output = lastLines.get(unitId);
      if (output !== undefined) return { ...base, note: output, noteKind: 'done' as const };
      return { ...base, note: '', noteKind: 'none' as const };
    }),
  };
}

export function isTerminal(status: UnitStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/**
 * A reused unit's times are the earlier run's: left out, so the clock counts from this run's
 * start and the unit shows no elapsed time of its own.
 */
function runTimes(
  startedAt: string | null,
  finishedAt: string | null,
  reusedFrom: string | undefined,
): Pick<UnitView, 'startedAt' | 'finishedAt' | 'reused'> {
  return reusedFrom === undefined
    ? { startedAt, finishedAt }
    : { startedAt: null, finishedAt: null, reused: true };
}
