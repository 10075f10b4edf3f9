/** What the bench leaves: its results file (every number, with notes on their meaning) and the printed tables. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CancelReport } from './cancel';
import { MAX_EVENTS_PER_EXECUTION, MAX_PAYLOAD_BYTES } from './chain';
import {
  breakdownTable,
  cancelTable,
  cpuPerLaunchTable,
  historyTable,
  machineTable,
  scaleTable,
  summaryTable,
} from './report';
import type { ScaleTargets } from './scale';
import type { ShapeReport } from './shape-report';
import { SCALE_BASE_UNITS, SCALE_UNITS } from './shapes';
import { WORKSPACE_TARGET_FILES, WORKSPACE_TARGET_P95_MS } from './workspace';
import type { WorkspaceReport } from './workspace-types';
import { workspaceTable } from './workspace-report';
import type { HostsReport } from './hosts-types';
import { hostsTable } from './hosts-report';

/** What the shapes of one bench produced. */
export interface BenchOutcome {
  readonly reports: readonly ShapeReport[];
  readonly cancel?: CancelReport;
  readonly scale?: { readonly report: ShapeReport; readonly targets?: ScaleTargets };
  readonly workspace?: WorkspaceReport;
  readonly hosts?: HostsReport;
}

export interface MachineFacts {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly loadAverageStart: readonly number[];
  readonly loadAverageEnd: readonly number[];
  /** CPU per file created in the scratch folder at the start (create-cost.ts). */
  readonly fileCreateMicros: number;
}

/** How to read the numbers, written into every results file. */
const NOTES = [
  'makespan agents = first agent start -> last agent end; workflow = WorkflowExecutionStarted (first execution) -> close event (last execution)',
  'ideal = Scheduler replayed with measured agent durations and zero coordinator cost; ratio = agents / ideal',
  'overhead = agent start - max(last dependency finished_at, finished_at that freed its slot); first-wave units without dependencies skipped',
  'mean running = sum of agent durations / agents makespan',
  'WFT latency = WorkflowTaskScheduled -> WorkflowTaskCompleted (server event times)',
  'peak RSS = VmHWM of the worker process, reset before each shape',
  'agent phases: each agent stamps its first and last action; launch->1st action = supervisor and agent start-up, last action->finished = exit noticed and evidence read',
  'replay = the history (every execution of the chain) replayed in the bench process, first execution warmed up: workflow code and SDK cost only',
  "CPU per launch = (worker CPU, launcher + supervisors CPU) / agent attempts; launcher + supervisors = the launcher and its children (supervisors and agents) less the agent's own per run. Agent own 'in run' = the mean of the fake agents' own `times` (self and children) as their last action, where they ran: it counts from the fork of the agent's process, so the Landlock restriction applied there before exec (the supervisor builds the rules) counts as the agent's, and the agent's exit does not. 'apart' (agents that do not report it: wide-sh) = the shape's agent, sleeps made 0, run 50 times from a bash loop after the shape; for the fake agent of wide it came out 0.4 to 3.2 ms dearer than the same agent in the run (5.3 and 8.1 against 4.9), so 'launcher + supervisors' under it reads too low, even negative",
  'bench CPUs = CPU of worker + agents (with their supervisors) + server / wall time; machine busy CPUs includes every other process',
  `chain = the executions of one workflow id (continue-as-new); limits: <= ${MAX_EVENTS_PER_EXECUTION} events per execution, <= ${MAX_PAYLOAD_BYTES} bytes per payload (data + metadata)`,
  'cancel = failing agent last action (stamp just before exit 1) -> each sibling process group gone (kill(-pgid, 0) ESRCH or only zombies left), probed every 5 ms by the bench',
  `workspace = per repository size: shared mode, git mode with an empty pool of released trees (git-first), git mode again (git-reused, judged); unit start -> agent start = runAgentAttempt ActivityTaskStarted -> agent's first stamp; target p95 <= ${WORKSPACE_TARGET_P95_MS} ms at ${WORKSPACE_TARGET_FILES} files, git-reused; tree disk = du -sk of one pooled (prepared) tree + its .git/worktrees admin folder`,
  'hosts = 12 units in three levels, max_workers 4: single-host git mode, --remote on one worker, --remote on two workers; makespan = WorkflowExecutionStarted -> close; overhead per unit = runAgentAttempt ActivityTaskStarted -> agent first stamp + agent last stamp -> ActivityTaskCompleted; fetch + push = remote-1 minus git',
  `scale = ${SCALE_UNITS} units (round(sqrt(N)) levels, instant agents, max_workers 32) vs scale-base ${SCALE_BASE_UNITS} units (10 levels; judged) and scale-base-wide ${SCALE_BASE_UNITS} units (1 level, as many agents at once as at ${SCALE_UNITS}): overhead ratio p50 and p95 target <= 1.5, worker peak RSS <= 400 MiB`,
];

export interface BenchVersions {
  readonly node: string;
  readonly temporalCli: string;
  readonly sdkWorker: string;
  readonly sdkClient: string;
  readonly sdkWorkflow: string;
}

/** Node, the Temporal CLI and the SDK, as this bench ran them. */
export function versions(cliPath: string): BenchVersions {
  const packageVersion = (name: string): string => {
    try {
      const file = require.resolve(`${name}/package.json`);
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  let temporalCli = 'unknown';
  try {
    temporalCli = execFileSync(cliPath, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    // Reported as unknown.
  }
  return {
    node: process.version,
    temporalCli,
    sdkWorker: packageVersion('@temporalio/worker'),
    sdkClient: packageVersion('@temporalio/client'),
    sdkWorkflow: packageVersion('@temporalio/workflow'),
  };
}

/** The results file's content. */
export function resultsDocument(
  header: {
    readonly startedAt: Date;
    readonly mode: 'quick' | 'full';
    readonly selected: readonly string[];
    readonly machine: MachineFacts;
    readonly versions: BenchVersions;
  },
  outcome: BenchOutcome,
): Record<string, unknown> {
  return {
    startedAt: header.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    mode: header.mode,
    selected: header.selected,
    machine: header.machine,
    versions: header.versions,
    notes: NOTES,
    shapes: outcome.reports,
    ...(outcome.cancel === undefined ? {} : { cancel: outcome.cancel }),
    ...(outcome.scale?.targets === undefined ? {} : { scaleTargets: outcome.scale.targets }),
    ...(outcome.workspace === undefined ? {} : { workspace: outcome.workspace }),
    ...(outcome.hosts === undefined ? {} : { hosts: outcome.hosts }),
  };
}

/** Writes `<outDir>/<ISO start time>.json` and returns its path. */
export function writeResults(outDir: string, startedAt: Date, document: Record<string, unknown>): string {
  mkdirSync(outDir, { recursive: true });
  const outFile = path.join(outDir, `${startedAt.toISOString().replace(/:/g, '-')}.json`);
  writeFileSync(outFile, `${JSON.stringify(document, null, 2)}\n`);
  return outFile;
}

/** The tables printed at the end. */
export function summaryText(
  mode: 'quick' | 'full',
  machine: MachineFacts,
  versions: BenchVersions,
  outcome: BenchOutcome,
  outFile: string,
): string {
  const { reports, cancel, scale, workspace, hosts } = outcome;
  const sections: string[] = [
    '',
    `agent-fanout bench (${mode}), ${machine.cpus} CPUs, node ${versions.node}, ${versions.temporalCli}, SDK ${versions.sdkWorker}`,
    `load average start ${machine.loadAverageStart.join(' ')}, end ${machine.loadAverageEnd.join(' ')}; ` +
      `a create in the scratch folder: ${machine.fileCreateMicros} µs of CPU`,
  ];
  if (reports.length > 0)
    sections.push(
      '',
      summaryTable(reports),
      '',
      'Launch overhead, step by step (p50/p95 ms):',
      breakdownTable(reports),
      '',
      'CPU and contention while each shape ran:',
      machineTable(reports),
      '',
      'CPU per agent launch, ms (agent own: its CPU where it ran, or measured apart from agent-fanout; see notes):',
      cpuPerLaunchTable(reports),
      '',
      `History per run (limits: ${MAX_EVENTS_PER_EXECUTION} events per execution, ${MAX_PAYLOAD_BYTES / 2 ** 20} MiB per payload):`,
      historyTable(reports),
    );
  if (cancel !== undefined) sections.push('', `Cancel latency: ${cancel.title}`, cancelTable(cancel));
  if (scale !== undefined)
    sections.push('', `Scale: ${scale.report.title}`, scaleTable(scale.report, scale.targets));
  if (workspace !== undefined)
    sections.push('', `Workspace (unit start -> agent start): ${workspace.title}`, workspaceTable(workspace));
  if (hosts !== undefined)
    sections.push('', `Hosts (a shared git remote): ${hosts.title}`, hostsTable(hosts));
  sections.push('', `Results: ${path.relative(process.cwd(), outFile) || outFile}`, '');
  return sections.join('\n');
}

/** Every run succeeded within Temporal's limits and passed its checks. */
export function benchHealthy(outcome: BenchOutcome): boolean {
  return (
    outcome.reports.every(
      (report) =>
        report.status === 'succeeded' &&
        report.limitViolations.length === 0 &&
        (report.checks?.problems.length ?? 0) === 0,
    ) &&
    (outcome.cancel === undefined || outcome.cancel.problems.length === 0) &&
    (outcome.workspace === undefined || outcome.workspace.problems.length === 0) &&
    (outcome.hosts === undefined || outcome.hosts.problems.length === 0)
  );
}
