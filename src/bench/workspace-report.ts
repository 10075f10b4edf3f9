/** The `workspace` shape's printed table and target line. */
import { table } from './report';
import type { Distribution } from './stats';
import type { WorkspaceReport } from './workspace-types';

const number = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const p50p95 = (value: Distribution | null): string =>
  value === null ? '-' : `${number(value.p50)}/${number(value.p95)}`;
const mib = (kib: number | undefined): string => (kib === undefined ? '-' : number(kib / 1024, 1));

/** Per repository size and mode: unit start -> agent start and its parts, git/shared, disk. */
export function workspaceTable(report: WorkspaceReport): string {
  const rows = report.sizes.flatMap((size) =>
    size.runs.map((run) => {
      const ratio = run.mode === 'shared' ? undefined : size.ratios[run.mode];
      const isGit = run.mode !== 'shared';
      return [
        size.files.toLocaleString('en-US'),
        run.mode,
        `${run.succeeded}/${run.units}`,
        number(run.wallMs / 1000, 1),
        p50p95(run.unitStartToAgentStartMs),
        ratio === undefined ? '-' : `x${number(ratio.p50, 2)}/x${number(ratio.p95, 2)}`,
        p50p95(run.activityStartedToLaunchMs),
        p50p95(run.launchToFirstActionMs),
        p50p95(run.agentEndToCompletedMs),
        isGit ? mib(size.treeDisk?.treeKib) : '-',
        isGit ? mib(size.treeDisk?.adminKib) : '-',
        mib(size.checkoutKib),
        String(run.pooledAfter),
        `${number(run.loadAverageStart[0] ?? Number.NaN, 1)}/${number(run.loadAverageEnd[0] ?? Number.NaN, 1)}`,
      ];
    }),
  );
  const target = report.target;
  const verdict =
    target.met === null
      ? `not measured (no ${target.files.toLocaleString('en-US')}-file run: --quick)`
      : `${number(target.p95Ms)} ms: ${target.met ? 'met' : 'MISSED'}`;
  return [
    table(
      [
        'files',
        'mode',
        'ok',
        'wall s',
        'unit start->agent start p50/p95 ms',
        'git/shared p50/p95',
        'act started->launch',
        'launch->1st action',
        'agent end->act completed',
        'tree MiB',
        'tree admin MiB',
        'checkout MiB',
        'pooled after',
        'load 1m start/end',
      ],
      rows,
    ),
    `git-first: the worker's pool of released trees starts empty (the first ${report.maxWorkers} starts add a tree); ` +
      `git-reused: a second git run, every start re-points a pooled tree (pool size ${report.poolSize}).`,
    'tree: du -sk of one prepared working tree (taken from the pool after the git runs); tree admin: its folder in .git/worktrees (index); checkout: the source files without .git.',
    `target: unit start -> agent start p95 <= ${target.targetMs} ms at ${target.files.toLocaleString('en-US')} files, git-reused: ${verdict}`,
    report.problems.length === 0 ? 'problems: none' : `PROBLEMS: ${report.problems.join('; ')}`,
  ].join('\n');
}
