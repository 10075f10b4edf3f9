/** The end-of-run table for people: one row per unit. */
import type { FanoutResult, UnitResult } from '../../plan/types';
import { shortSha } from './commit-text';
import { firstLineCut, formatColumns } from './text-table';

/**
 * A git run (SPEC §9) adds a `commit` column: each unit's output commit, short; a run on many hosts
 * (SPEC §10) a `host` column: the worker host of each unit's last attempt.
 */
export function formatResultTable(result: FanoutResult): string {
  const withCommits = result.git !== undefined;
  const withHosts = Object.values(result.units).some((unit) => unit.host !== undefined);
  const rows = Object.entries(result.units).map(([id, unit]) => [
    id,
    unit.reused_from === undefined ? unit.status : 'REUSED',
    String(unit.attempts),
    unit.exit_code === null ? '' : String(unit.exit_code),
    ...(withCommits ? [unit.commit === undefined ? '' : shortSha(unit.commit)] : []),
    ...(withHosts ? [unit.host ?? ''] : []),
    firstLineCut(unit.error ?? noteOf(unit)),
  ]);
  const verdict =
    `run ${result.status}` + (result.workflow_id !== undefined ? ` (${result.workflow_id})` : '');
  const header = [
    'unit',
    'status',
    'attempts',
    'exit',
    ...(withCommits ? ['commit'] : []),
    ...(withHosts ? ['host'] : []),
    'note',
  ];
  return ['', verdict, ...formatColumns(header, rows), ''].join('\n') + '\n';
}

function noteOf(unit: UnitResult): string {
  const artifacts = unit.artifacts.length > 0 ? `${unit.artifacts.length} artifact(s)` : '';
  return unit.reused_from === undefined ? artifacts : `reused from ${unit.reused_from}; ${artifacts}`;
}
