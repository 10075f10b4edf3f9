/**
 * The `cancel` shape: how long after a unit fails every running sibling's process group is gone
 * (issue 8: p95 <= 2 s). Plan: {@link cancelShape} (15 siblings sleeping 60 s, one unit exiting 1
 * after 2 s, on_failure cancel, one attempt, max_workers 16), run several times for percentiles.
 *
 * While a run goes, a {@link GroupWatcher} in the bench process reads each unit's attempt record
 * (`<repo>/<namespace_root>/<unit>/logs/attempt-1.json`, written by the supervisor as soon as the
 * agent runs) for its pgid, then probes the group every {@link POLL_MS} ms with
 * `process.kill(-pgid, 0)` until ESRCH, or until no member is left that is not a zombie (the
 * project's own meaning of "alive": a killed orphan stays a zombie until its new parent reaps it,
 * and PID 1 of a container may never do so; see src/activities/process-group.ts). Only then a
 * /proc scan looks for other members, so the probe costs next to nothing while agents run.
 *
 * The failure's moment is the failing agent's own last action (its `end` stamp, written just
 * before `exit 1`); when the stamp is missing, the supervisor's exit file (`endedAtMs`). Per
 * sibling, from that moment:
 * - group gone: the sample of issue 8's metric;
 * - cancel requested: its ActivityTaskCancelRequested event (the workflow decided);
 * - activity cancelled: its ActivityTaskCanceled event (the worker reported the group stopped);
 * - workflow saw: its `finished_at` in the result (the workflow's clock when it handled the end).
 *
 * After each run the bench waits (up to {@link LEFTOVER_WAIT_MS}) for every group and supervisor
 * to be gone, SIGKILLs whatever is left and reports it as a problem: nothing outlives the shape.
 */
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { attemptExitPath, attemptRecordPath, namespacePaths } from '../activities/namespace';
import { awaitResult, startRun } from '../client/fanout-client';
import { validatePlanValue } from '../plan/validate';
import { counters, log, processFigures, readTextOrEmpty, type Environment } from './env';
import { analyzeHistory } from './history';
import type { ProcessFigures } from './figures';
import { untilDone } from './stall';
import { parseStamps } from './stamps';
import { CANCEL_FAILING_UNIT, planValue, STAMP_FILE, type Shape } from './shapes';
import { distribution, type Distribution } from './stats';
import { resetPeakRss } from './worker-process';

/** How often a group is probed. */
export const POLL_MS = 5;
/** How often missing attempt records are looked for. */
const RECORD_SCAN_MS = 20;
/** After a run ended, how long its groups and supervisors may take to go before they count as left behind. */
export const LEFTOVER_WAIT_MS = 30_000;
/** Issue 8's target for the p95 of failure -> group gone. */
export const CANCEL_TARGET_P95_MS = 2000;

interface WatchedGroup {
  readonly unitId: string;
  pgid?: number;
  supervisorPid?: number;
  supervisorStartTicks?: string | null;
  /** The agent's start by its record (epoch ms). */
  agentStartedMs?: number;
  /** Pids seen in the group; checked before a full /proc scan. */
  members: number[];
  goneMs?: number;
}

/** `/proc/<pid>/stat` fields after the command (field 3 on); null when the process is gone. */
function procStat(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    return close < 0 ? null : stat.slice(close + 2).split(' ');
  } catch {
    return null;
  }
}

/** fields[0] is the state (field 3), fields[2] the process group (field 5), fields[19] the start time (field 22). */
function isLiveMember(pid: number, pgid: number): boolean {
  const fields = procStat(pid);
  return fields !== null && Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X';
}

/** Every live (not zombie) member of the group, by a scan of /proc. */
export function scanGroup(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [pgid];
  }
  return entries
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => isLiveMember(pid, pgid));
}

/** True while the group has a member that is not a zombie. */
function groupAlive(group: WatchedGroup): boolean {
  const pgid = group.pgid as number;
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (group.members.some((pid) => isLiveMember(pid, pgid))) return true;
  group.members = scanGroup(pgid);
  return group.members.length > 0;
}

/** True while `pid` runs, is not a zombie and started at `startTicks`. */
function processAlive(pid: number, startTicks: string | null | undefined): boolean {
  const fields = procStat(pid);
  if (fields === null || fields[0] === 'Z' || fields[0] === 'X') return false;
  return startTicks === null || startTicks === undefined || fields[19] === startTicks;
}

/** Watches the process groups of a run's units from their attempt records (see the file comment). */
export class GroupWatcher {
  readonly groups: ReadonlyMap<string, WatchedGroup>;
  private stopped = false;
  private lastRecordScan = 0;
  private readonly loop: Promise<void>;

  constructor(
    private readonly recordFile: (unitId: string) => string,
    unitIds: readonly string[],
  ) {
    this.groups = new Map(unitIds.map((unitId) => [unitId, { unitId, members: [] }]));
    this.loop = this.run();
  }

  /** Reads the attempt records not read yet. */
  scanRecords(): void {
    this.lastRecordScan = Date.now();
    for (const group of this.groups.values()) {
      if (group.pgid !== undefined) continue;
      let record: {
        pgid?: unknown;
        supervisorPid?: unknown;
        supervisorStartTicks?: unknown;
        startedAtMs?: unknown;
      };
      try {
        record = JSON.parse(readFileSync(this.recordFile(group.unitId), 'utf8')) as typeof record;
      } catch {
        continue; // not written yet
      }
      if (typeof record.pgid !== 'number' || record.pgid <= 1) continue;
      group.pgid = record.pgid;
      group.members = [record.pgid];
      if (typeof record.supervisorPid === 'number') group.supervisorPid = record.supervisorPid;
      if (typeof record.supervisorStartTicks === 'string' || record.supervisorStartTicks === null)
        group.supervisorStartTicks = record.supervisorStartTicks;
      if (typeof record.startedAtMs === 'number') group.agentStartedMs = record.startedAtMs;
    }
  }

  /** Probes every group found and not gone yet. */
  probe(): void {
    for (const group of this.groups.values()) {
      if (group.pgid === undefined || group.goneMs !== undefined) continue;
      if (!groupAlive(group)) group.goneMs = Date.now();
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (Date.now() - this.lastRecordScan >= RECORD_SCAN_MS) this.scanRecords();
      this.probe();
      await delay(POLL_MS);
    }
  }

  /** Groups found and still alive. */
  alive(): WatchedGroup[] {
    return [...this.groups.values()].filter(
      (group) => group.pgid !== undefined && group.goneMs === undefined,
    );
  }

  /** Waits until every group found is gone, at most `ms`; true when they all are. */
  async waitAllGone(ms: number): Promise<boolean> {
    this.scanRecords();
    const deadline = Date.now() + ms;
    while (this.alive().length > 0 && Date.now() < deadline) await delay(POLL_MS * 4);
    return this.alive().length === 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /**
   * SIGKILLs what is still alive (groups, then supervisors that outlived their agent), after
   * waiting `ms` for supervisors. Returns what it had to kill, in words.
   */
  async killLeftovers(ms: number): Promise<string[]> {
    const left: string[] = [];
    this.probe();
    for (const group of this.alive()) {
      left.push(`unit ${group.unitId}: process group ${group.pgid} still alive`);
      try {
        process.kill(-(group.pgid as number), 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    const supervisors = [...this.groups.values()].filter((group) => group.supervisorPid !== undefined);
    const deadline = Date.now() + ms;
    const running = (): WatchedGroup[] =>
      supervisors.filter((group) => processAlive(group.supervisorPid as number, group.supervisorStartTicks));
    while (running().length > 0 && Date.now() < deadline) await delay(50);
    for (const group of running()) {
      left.push(`unit ${group.unitId}: supervisor ${group.supervisorPid} still alive`);
      try {
        process.kill(group.supervisorPid as number, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    return left;
  }
}

export interface CancelSample {
  readonly run: number;
  readonly unitId: string;
  readonly pgid: number;
  /** Failure -> the sibling's process group gone (issue 8's metric). */
  readonly groupGoneMs: number;
  /** Failure -> its ActivityTaskCancelRequested (server time). */
  readonly cancelRequestedMs: number | null;
  /** Failure -> its ActivityTaskCanceled (server time). */
  readonly activityCanceledMs: number | null;
  /** Failure -> its `finished_at` in the result (workflow time). */
  readonly workflowSawMs: number | null;
  /** True when the agent's record says it started after the failure. */
  readonly startedAfterFailure: boolean;
}

export interface CancelRun {
  readonly run: number;
  readonly workflowId: string;
  readonly status: string;
  /** The failure's moment, epoch ms, and where it came from. */
  readonly failureAtMs: number;
  readonly failureFrom: 'agent stamp' | 'exit file' | 'none';
  /** The supervisor's `endedAtMs` minus the stamp: exit noticed. */
  readonly stampToExitFileMs: number | null;
  /** Failure -> the failing unit's ActivityTaskFailed (server time). */
  readonly failureToActivityFailedMs: number | null;
  /** Failure -> the failing unit's own group gone, as the watcher saw it. */
  readonly failingGroupGoneMs: number | null;
  readonly siblingsLaunched: number;
  readonly siblingsCancelled: number;
  /** Failure -> the last sibling's group gone. */
  readonly lastGroupGoneMs: number | null;
  readonly wallSeconds: number;
  readonly problems: readonly string[];
  readonly samples: readonly CancelSample[];
}

export interface CancelReport {
  readonly shape: 'cancel';
  readonly title: string;
  readonly runs: number;
  readonly siblingsPerRun: number;
  readonly pollMs: number;
  /** Over every sibling of every run. */
  readonly groupGoneMs: Distribution | null;
  readonly cancelRequestedMs: Distribution | null;
  readonly activityCanceledMs: Distribution | null;
  readonly workflowSawMs: Distribution | null;
  /** One value per run: the last sibling. */
  readonly lastGroupGoneMs: Distribution | null;
  readonly failureToActivityFailedMs: Distribution | null;
  readonly targetP95Ms: number;
  readonly targetMet: boolean;
  /** Wrong statuses, missing groups, anything left behind; empty when the runs behaved. */
  readonly problems: readonly string[];
  readonly process: ProcessFigures;
  readonly details: readonly CancelRun[];
}

const since = (from: number, at: number | null | undefined): number | null =>
  at === null || at === undefined || !Number.isFinite(at) || !Number.isFinite(from)
    ? null
    : Math.round(at - from);

async function runOnce(
  env: Environment,
  client: Client,
  shape: Shape,
  runLabel: string,
  run: number,
): Promise<CancelRun> {
  const validation = validatePlanValue(planValue(shape, `${runLabel}-${run}`), { fileName: 'cancel.json' });
  if (!validation.ok) throw new Error(`the cancel plan is invalid: ${validation.message}`);
  const plan = validation.plan;
  const repo = realpathSync(mkdtempSync(path.join(env.scratch, `repo-cancel-${run}-`)));
  const workflowId = `bench-cancel-${runLabel}-${run}`;
  const unitIds = shape.units.map((unit) => unit.unitId);
  const paths = (unitId: string): ReturnType<typeof namespacePaths> =>
    namespacePaths(repo, plan.namespaceRoot, unitId);
  const watcher = new GroupWatcher((unitId) => attemptRecordPath(paths(unitId), 1), unitIds);
  const startedAt = Date.now();
  const problems: string[] = [];
  try {
    const handle = await startRun(client, { plan, repo, taskQueue: env.taskQueue, workflowId });
    const result = await untilDone(client, workflowId, awaitResult(handle));
    if (!(await watcher.waitAllGone(LEFTOVER_WAIT_MS)))
      problems.push(`process groups still alive ${LEFTOVER_WAIT_MS / 1000} s after the run ended`);
    await watcher.stop();
    problems.push(...(await watcher.killLeftovers(5000)));
    const wallSeconds = (Date.now() - startedAt) / 1000;

    const stamps = parseStamps(readTextOrEmpty(path.join(repo, STAMP_FILE)));
    const exitFile = JSON.parse(readTextOrEmpty(attemptExitPath(paths(CANCEL_FAILING_UNIT), 1)) || '{}') as {
      endedAtMs?: unknown;
    };
    const exitMs = typeof exitFile.endedAtMs === 'number' ? exitFile.endedAtMs : undefined;
    const stampMs = stamps.get(CANCEL_FAILING_UNIT)?.endMs;
    const failureAtMs = stampMs ?? exitMs ?? Number.NaN;
    const failureFrom = stampMs !== undefined ? 'agent stamp' : exitMs !== undefined ? 'exit file' : 'none';
    if (failureFrom === 'none') problems.push('the failing unit left neither its stamp nor its exit file');

    const facts = analyzeHistory(await handle.fetchHistory());
    const activity = new Map(facts.activities.map((times) => [times.unitId, times]));
    if (result.status !== 'failed') problems.push(`run ended ${result.status}, expected failed`);
    if (result.units[CANCEL_FAILING_UNIT]?.status !== 'FAILED')
      problems.push(
        `${CANCEL_FAILING_UNIT} ended ${result.units[CANCEL_FAILING_UNIT]?.status ?? 'unknown'}, expected FAILED`,
      );

    const samples: CancelSample[] = [];
    let launched = 0;
    let cancelled = 0;
    for (const unitId of unitIds) {
      if (unitId === CANCEL_FAILING_UNIT) continue;
      const group = watcher.groups.get(unitId);
      const outcome = result.units[unitId];
      if (outcome?.status === 'CANCELLED') cancelled += 1;
      else problems.push(`${unitId} ended ${outcome?.status ?? 'unknown'}, expected CANCELLED`);
      if (group?.pgid === undefined) continue;
      launched += 1;
      const times = activity.get(unitId);
      samples.push({
        run,
        unitId,
        pgid: group.pgid,
        groupGoneMs: since(failureAtMs, group.goneMs) ?? Number.NaN,
        cancelRequestedMs: since(failureAtMs, times?.cancelRequestedMs),
        activityCanceledMs: since(failureAtMs, times?.canceledMs),
        workflowSawMs: since(failureAtMs, outcome?.finished_at ? Date.parse(outcome.finished_at) : null),
        startedAfterFailure: (group.agentStartedMs ?? 0) > failureAtMs,
      });
    }
    if (launched < unitIds.length - 1)
      problems.push(`only ${launched} of ${unitIds.length - 1} siblings had launched (no attempt record)`);
    const failing = watcher.groups.get(CANCEL_FAILING_UNIT);
    const gone = samples.map((sample) => sample.groupGoneMs).filter((value) => Number.isFinite(value));
    return {
      run,
      workflowId,
      status: result.status,
      failureAtMs,
      failureFrom,
      stampToExitFileMs: stampMs !== undefined && exitMs !== undefined ? exitMs - stampMs : null,
      failureToActivityFailedMs: since(failureAtMs, activity.get(CANCEL_FAILING_UNIT)?.failedMs),
      failingGroupGoneMs: since(failureAtMs, failing?.goneMs),
      siblingsLaunched: launched,
      siblingsCancelled: cancelled,
      lastGroupGoneMs: gone.length === 0 ? null : Math.max(...gone),
      wallSeconds: Math.round(wallSeconds * 100) / 100,
      problems,
      samples,
    };
  } finally {
    // Also when the run threw: stop the watcher and kill whatever it found alive.
    await watcher.stop();
    const left = await watcher.killLeftovers(0);
    if (left.length > 0) log(`cancel run ${run}: killed leftovers: ${left.join('; ')}`);
    rmSync(repo, { recursive: true, force: true });
  }
}

export async function runCancelShape(
  env: Environment,
  client: Client,
  shape: Shape,
  runs: number,
  runLabel: string,
): Promise<CancelReport> {
  log(`cancel: ${shape.title}, ${runs} runs`);
  resetPeakRss(env.worker.pid);
  const before = counters(env);
  const details: CancelRun[] = [];
  for (let run = 1; run <= runs; run++) {
    const outcome = await runOnce(env, client, shape, runLabel, run);
    details.push(outcome);
    log(
      `cancel run ${run}/${runs}: ${outcome.status}, ${outcome.siblingsCancelled} cancelled, ` +
        `last group gone ${outcome.lastGroupGoneMs ?? '-'} ms after the failure` +
        (outcome.problems.length === 0 ? '' : `; PROBLEMS: ${outcome.problems.join('; ')}`),
    );
  }
  const after = counters(env);
  const samples = details.flatMap((run) => run.samples);
  const pick = (value: (sample: CancelSample) => number | null): Distribution | null =>
    distribution(samples.map((sample) => value(sample) ?? Number.NaN));
  const groupGoneMs = pick((sample) => sample.groupGoneMs);
  return {
    shape: 'cancel',
    title: shape.title,
    runs,
    siblingsPerRun: shape.units.length - 1,
    pollMs: POLL_MS,
    groupGoneMs,
    cancelRequestedMs: pick((sample) => sample.cancelRequestedMs),
    activityCanceledMs: pick((sample) => sample.activityCanceledMs),
    workflowSawMs: pick((sample) => sample.workflowSawMs),
    lastGroupGoneMs: distribution(details.map((run) => run.lastGroupGoneMs ?? Number.NaN)),
    failureToActivityFailedMs: distribution(
      details.map((run) => run.failureToActivityFailedMs ?? Number.NaN),
    ),
    targetP95Ms: CANCEL_TARGET_P95_MS,
    targetMet: groupGoneMs !== null && groupGoneMs.p95 <= CANCEL_TARGET_P95_MS,
    problems: details.flatMap((run) => run.problems.map((problem) => `run ${run.run}: ${problem}`)),
    process: processFigures(env, before, after),
    details,
  };
}
