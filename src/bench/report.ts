/** The benchmark's tables, as plain text. */
import type { CancelReport } from './cancel';
import type { ShapeReport } from './shape-report';
import type { ScaleTargets } from './scale';
import type { Distribution } from './stats';

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
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
      'mean running',
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
      number(report.meanRunningAgents, 1),
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

/** Issue 18's CPU per unit: the worker's and the supervisors' per agent launch, the agent's own apart. */
export function cpuPerLaunchTable(reports: readonly ShapeReport[]): string {
  return table(
    [
      'shape',
      'launches',
      'agent own',
      'measured',
      'worker',
      'launcher + supervisors',
      'worker + supervisors',
    ],
    reports.map((report) => {
      const cpu = report.cpuPerLaunch;
      return [
        report.shape,
        String(cpu.launches),
        number(cpu.agentOwnMs, 2),
        cpu.agentOwnMeasured,
        number(cpu.workerMs, 2),
        number(cpu.supervisorsMs, 2),
        number(cpu.coordinatorMs, 2),
      ];
    }),
  );
}

const kib = (bytes: number | undefined): string =>
  bytes === undefined || !Number.isFinite(bytes) ? '-' : (bytes / 1024).toFixed(1);

/** Executions, events, failed workflow tasks and payload sizes of each run, against Temporal's limits. */
export function historyTable(reports: readonly ShapeReport[]): string {
  return table(
    [
      'shape',
      'executions',
      'max events/exec',
      'total events',
      'events/unit',
      'tasks failed',
      'history KiB',
      'largest payload KiB',
      'in',
      'largest event KiB',
      'limits',
    ],
    reports.map((report) => {
      const chain = report.chain;
      const payload = chain.largestPayload;
      const problems = report.limitViolations.length + (report.checks?.problems.length ?? 0);
      return [
        report.shape,
        String(chain.executions),
        String(chain.maxEventsInExecution),
        String(chain.totalEvents),
        number(report.history.eventsPerUnit, 2),
        // Failed or timed-out workflow tasks: the server threw away the worker's work (e.g. too many
        // events buffered behind a task), and the worker replayed and redid it.
        String(report.history.workflowTaskProblems),
        kib(chain.historyBytes),
        kib(payload?.bytes),
        payload === null ? '-' : `${payload.eventType}#${payload.eventId} (exec ${payload.execution + 1})`,
        kib(chain.largestEvent?.bytes),
        report.limitViolations.length > 0 ? 'EXCEEDED' : problems > 0 ? 'CHECKS FAILED' : 'ok',
      ];
    }),
  );
}

/** The cancel shape: failure -> each sibling's group gone, and the steps the workflow saw. */
export function cancelTable(report: CancelReport): string {
  const row = (label: string, value: Distribution | null): string[] => [
    label,
    value === null ? '-' : String(value.n),
    value === null ? '-' : number(value.p50),
    value === null ? '-' : number(value.p95),
    value === null ? '-' : number(value.max),
  ];
  return [
    table(
      ['from the failing agent exit to (ms)', 'n', 'p50', 'p95', 'max'],
      [
        row("failing unit's ActivityTaskFailed", report.failureToActivityFailedMs),
        row("sibling's ActivityTaskCancelRequested", report.cancelRequestedMs),
        row("sibling's process group gone", report.groupGoneMs),
        row("sibling's ActivityTaskCanceled", report.activityCanceledMs),
        row('workflow saw the sibling CANCELLED', report.workflowSawMs),
        row('last sibling of a run gone', report.lastGroupGoneMs),
      ],
    ),
    `target: group gone p95 <= ${report.targetP95Ms} ms: ${report.targetMet ? 'met' : 'MISSED'}` +
      ` (${report.runs} runs x ${report.siblingsPerRun} siblings, probe every ${report.pollMs} ms; ` +
      `machine busy CPUs ${number(report.process.machineBusyCores, 2)}, load 1m ${number(report.process.loadAverageStart[0] ?? Number.NaN, 1)}/${number(report.process.loadAverageEnd[0] ?? Number.NaN, 1)})`,
    report.problems.length === 0 ? 'problems: none' : `PROBLEMS: ${report.problems.join('; ')}`,
  ].join('\n');
}

/** The scale shape's checks (progress, result, retry) and targets. */
export function scaleTable(report: ShapeReport, targets: ScaleTargets | undefined): string {
  const checks = report.checks;
  const lines: string[] = [];
  if (checks !== undefined) {
    const progress = checks.progress;
    lines.push(
      `progress: ${progress.ok ? 'ok' : 'WRONG'} (${progress.error ?? `${progress.units} units, state ${progress.state}, ${JSON.stringify(progress.counts)}`}; ${progress.ms} ms, answer ${kib(progress.answerBytes)} KiB)`,
      `result: ${checks.result.ok ? 'ok' : 'WRONG'} (${checks.result.succeeded}/${checks.result.units} SUCCEEDED; ${
        checks.result.resultFile === undefined
          ? 'carried in the close event'
          : `loaded from ${checks.result.resultFile.path}`
      })`,
    );
    const retry = checks.retry;
    lines.push(
      `retry: ${retry.ok ? 'ok' : 'WRONG'} (${retry.error ?? `${retry.status}, ${retry.reused}/${retry.units} reused`}; ${seconds(retry.ms)} s` +
        (retry.chain === undefined
          ? ')'
          : `, ${retry.chain.executions} execution(s), max ${retry.chain.maxEventsInExecution} events, largest payload ${kib(retry.chain.largestPayload?.bytes)} KiB, peak RSS ${number(retry.workerPeakRssMiB ?? Number.NaN, 1)} MiB)`),
    );
  }
  if (targets !== undefined) {
    targets.ratios.forEach((ratio, index) =>
      lines.push(
        `overhead ${targets.units} units (mean running ${number(targets.meanRunning, 1)}) / ${ratio.baseline} ${ratio.baseUnits} units (mean running ${number(ratio.baseMeanRunning, 1)}): ` +
          `p50 x${number(ratio.overheadP50Ratio, 2)}, p95 x${number(ratio.overheadP95Ratio, 2)} (target <= ${targets.overheadTarget})` +
          (index === 0
            ? `: ${ratio.met ? 'met' : 'MISSED'}`
            : `: ${ratio.met ? 'within' : 'above'} (for comparison)`),
      ),
    );
    lines.push(
      `worker peak RSS ${number(targets.workerPeakRssMiB, 1)} MiB (target <= ${targets.rssTargetMiB}): ${targets.rssMet ? 'met' : 'MISSED'}`,
    );
  }
  const problems = [...report.limitViolations, ...(checks?.problems ?? [])];
  lines.push(problems.length === 0 ? 'limits and checks: ok' : `FAILED: ${problems.join('; ')}`);
  return lines.join('\n');
}
