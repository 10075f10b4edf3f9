/** The `hosts` shape's printed table and its two comparisons. */
import type { HostsReport } from './hosts-types';
import { table } from './report';
import type { Distribution } from './stats';

const number = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const p50p95 = (value: Distribution | null): string =>
  value === null ? '-' : `${number(value.p50)}/${number(value.p95)}`;

/** Per mode: makespan, units per host, and the per-unit overhead before and after the agent. */
export function hostsTable(report: HostsReport): string {
  const rows = report.runs.map((run) => [
    run.mode,
    `${run.succeeded}/${run.units}`,
    number(run.makespanMs / 1000, 1),
    Object.entries(run.unitsPerHost)
      .map(([host, count]) => `${host}:${count}`)
      .join(' '),
    p50p95(run.beforeAgentMs),
    p50p95(run.afterAgentMs),
    p50p95(run.overheadMs),
    `${number(run.loadAverageStart[0] ?? Number.NaN, 1)}/${number(run.loadAverageEnd[0] ?? Number.NaN, 1)}`,
  ]);
  const added = report.remoteOverheadMs;
  return [
    table(
      [
        'mode',
        'ok',
        'makespan s',
        'units per host',
        'act started->agent start p50/p95 ms',
        'agent end->act completed',
        'overhead per unit',
        'load 1m start/end',
      ],
      rows,
    ),
    'git: single-host git mode (--repo), one worker of 4 agents; remote-1: --remote, the same worker; ' +
      'remote-2: --remote, two workers of 2 agents each (own --workdir).',
    `fetch + push per unit (remote-1 - git overhead): ${added === null ? '-' : `p50 ${number(added.p50)} ms, p95 ${number(added.p95)} ms`}`,
    `makespan two workers / one worker (same max_workers): x${number(report.twoOverOneMakespan, 2)}`,
    report.problems.length === 0 ? 'problems: none' : `PROBLEMS: ${report.problems.join('; ')}`,
  ].join('\n');
}
