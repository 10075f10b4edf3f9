/** The benchmark's tables, as plain text. */
import type { ShapeReport } from './metrics';
import type { Distribution } from './stats';

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
      )
      .join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

const seconds = (msValue: number): string => (Number.isFinite(msValue) ? (msValue / 1000).toFixed(2) : '-');
const number = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const p50p95 = (value: Distribution | null): string =>
  value === null ? '-' : `${number(value.p50)}/${number(value.p95)}`;

/** One row per shape: makespans, overhead, history, worker. */
export function summaryTable(reports: readonly ShapeReport[]): string {
  return table(
    [
      'shape',
      'units',
      'ok',
      'agents s',
      'workflow s',
      'ideal s',
      'ratio',
      'wf ratio',
      'overhead p50/p95 ms',
      'WFT p50/p95 ms',
      'act sched->start p50/p95 ms',
      'events/unit',
      'history B/unit',
      'replay ms/WFT',
      'peak RSS MiB',
    ],
    reports.map((report) => [
      report.shape,
      String(report.units),
      `${report.succeeded}/${report.units}`,
      seconds(report.makespan.agentsMs),
      seconds(report.makespan.workflowMs),
      seconds(report.makespan.idealMs),
      number(report.makespan.agentsOverIdeal, 3),
      number(report.makespan.workflowOverIdeal, 3),
      p50p95(report.overheadMs.all),
      p50p95(report.history.workflowTaskLatencyMs),
      p50p95(report.history.activityScheduleToStartMs),
      number(report.history.eventsPerUnit, 2),
      number(report.history.bytesPerUnit),
      number(report.replay.perWorkflowTaskMs, 2),
      number(report.process.workerPeakRssMiB, 1),
    ]),
  );
}

/** Where a launch's overhead goes, p50/p95 of each step, in ms. */
export function breakdownTable(reports: readonly ShapeReport[]): string {
  return table(
    [
      'shape',
      'agent end->act completed',
      '->WFT completed',
      '->act scheduled',
      'sched->started',
      'started->spawn',
      'first agent start',
      'last end->close',
      'agent duration',
      'launch->1st action',
      'agent own',
      'last action->finished',
    ],
    reports.map((report) => {
      const segments = report.overheadMs.segments;
      return [
        report.shape,
        p50p95(segments.agentEndToActivityCompleted),
        p50p95(segments.activityCompletedToWorkflowTaskCompleted),
        p50p95(segments.workflowTaskCompletedToScheduled),
        p50p95(segments.scheduleToStart),
        p50p95(segments.activityStartedToSpawn),
        number(report.firstAgentStartMs),
        number(report.lastAgentEndToCloseMs),
        p50p95(report.agentDurationMs),
        p50p95(report.agentPhasesMs.launchToFirstAction),
        p50p95(report.agentPhasesMs.ownWork),
        p50p95(report.agentPhasesMs.lastActionToFinished),
      ];
    }),
  );
}

/** CPU use and contention while each shape ran. */
export function machineTable(reports: readonly ShapeReport[]): string {
  return table(
    [
      'shape',
      'wall s',
      'machine busy CPUs',
      'bench CPUs',
      'worker CPU s',
      'agents CPU s',
      'server CPU s',
      'worker runq wait s',
      'server runq wait s',
      'load 1m start/end',
    ],
    reports.map((report) => {
      const figures = report.process;
      return [
        report.shape,
        number(figures.wallSeconds, 1),
        number(figures.machineBusyCores, 2),
        number(figures.benchCores, 2),
        number(figures.workerCpuSeconds, 1),
        number(figures.agentsCpuSeconds, 1),
        number(figures.serverCpuSeconds, 1),
        number(figures.workerRunQueueWaitSeconds, 1),
        number(figures.serverRunQueueWaitSeconds, 1),
        `${number(figures.loadAverageStart[0] ?? Number.NaN, 1)}/${number(figures.loadAverageEnd[0] ?? Number.NaN, 1)}`,
      ];
    }),
  );
}
