/**
 * The `cancel` shape: how long after a unit fails every running sibling's process group is gone
 * (target: p95 <= 2 s). Plan: {@link cancelShape} (15 siblings sleeping 60 s, one unit exiting 1
 * after 2 s, on_failure cancel, one attempt, max_workers 16), run several times for percentiles.
 * While a run goes, a {@link GroupWatcher} probes each unit's process group (see group-watcher.ts).
 *
 * The failure's moment is the failing agent's own last action (its `end` stamp, written just
 * before `exit 1`); when the stamp is missing, the supervisor's exit file (`endedAtMs`). Per
 * sibling, from that moment:
 * - group gone: the sample of the cancel-latency metric;
 * - cancel requested: its ActivityTaskCancelRequested event (the workflow decided);
 * - activity cancelled: its ActivityTaskCanceled event (the worker reported the group stopped);
 * - workflow saw: its `finished_at` in the result (the workflow's clock when it handled the end).
 *
 * After each run the bench waits (up to {@link LEFTOVER_WAIT_MS}) for every group and supervisor
 * to be gone, SIGKILLs whatever is left and reports it as a problem: nothing outlives the shape.
 */
import { mkdtempSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { attemptExitPath, attemptRecordPath, namespacePaths } from '../activities/unit-files/namespace';
import { awaitResult, startRun } from '../client/fanout-client';
import type { FanoutResult } from '../plan/types';
import { validatePlanValue } from '../plan/validate';
import { GroupWatcher, POLL_MS } from './group-watcher';
import { counters, log, processFigures, readTextOrEmpty, type Environment } from './env';
import { analyzeHistory, type ActivityTimes } from './history';
import type { ProcessFigures } from './figures';
import { untilDone } from './stall';
import { readStamps } from './stamps';
import { planValue } from './shape-plan';
import { CANCEL_FAILING_UNIT, type Shape } from './shapes';
import { distribution, type Distribution } from './stats';
import { resetPeakRss } from './worker-process';

/** After a run ended, how long its groups and supervisors may take to go before they count as left behind. */
export const LEFTOVER_WAIT_MS = 30_000;
/** The target for the p95 of failure -> group gone: every sibling's agent stopped within 2 s. */
export const CANCEL_TARGET_P95_MS = 2000;

export interface CancelSample {
  readonly run: number;
  readonly unitId: string;
  readonly pgid: number;
  /** Failure -> the sibling's process group gone (the cancel-latency metric). */
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
  prefetch: number | undefined,
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
    const handle = await startRun(client, {
      plan,
      repo,
      taskQueue: env.taskQueue,
      workflowId,
      ...(prefetch === undefined ? {} : { prefetch }),
    });
    const result = await untilDone(client, workflowId, awaitResult(handle));
    if (!(await watcher.waitAllGone(LEFTOVER_WAIT_MS)))
      problems.push(`process groups still alive ${LEFTOVER_WAIT_MS / 1000} s after the run ended`);
    await watcher.stop();
    problems.push(...(await watcher.killLeftovers(5000)));
    const wallSeconds = (Date.now() - startedAt) / 1000;

    const { failureAtMs, failureFrom, stampMs, exitMs } = failureMoment(repo, paths(CANCEL_FAILING_UNIT));
    if (failureFrom === 'none') problems.push('the failing unit left neither its stamp nor its exit file');

    const facts = analyzeHistory(await handle.fetchHistory());
    const activity = new Map(facts.activities.map((times) => [times.unitId, times]));
    if (result.status !== 'failed') problems.push(`run ended ${result.status}, expected failed`);
    if (result.units[CANCEL_FAILING_UNIT]?.status !== 'FAILED')
      problems.push(
        `${CANCEL_FAILING_UNIT} ended ${result.units[CANCEL_FAILING_UNIT]?.status ?? 'unknown'}, expected FAILED`,
      );

    const { samples, launched, cancelled } = siblingSamples(
      { run, failureAtMs, result, watcher, activity, problems },
      unitIds,
    );
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
    // The repository stays until the bench ends, like the other shapes' (run-shape.ts).
  }
}

interface FailureMoment {
  readonly failureAtMs: number;
  readonly failureFrom: CancelRun['failureFrom'];
  readonly stampMs: number | undefined;
  readonly exitMs: number | undefined;
}

/** The failing agent's last action: its `end` stamp, else its supervisor's exit file. */
function failureMoment(repo: string, failingPaths: ReturnType<typeof namespacePaths>): FailureMoment {
  const stamps = readStamps(repo, [CANCEL_FAILING_UNIT]);
  const exitFile = JSON.parse(readTextOrEmpty(attemptExitPath(failingPaths, 1)) || '{}') as {
    endedAtMs?: unknown;
  };
  const exitMs = typeof exitFile.endedAtMs === 'number' ? exitFile.endedAtMs : undefined;
  const stampMs = stamps.get(CANCEL_FAILING_UNIT)?.endMs;
  const failureAtMs = stampMs ?? exitMs ?? Number.NaN;
  const failureFrom = stampMs !== undefined ? 'agent stamp' : exitMs !== undefined ? 'exit file' : 'none';
  return { failureAtMs, failureFrom, stampMs, exitMs };
}

interface RunFacts {
  readonly run: number;
  readonly failureAtMs: number;
  readonly result: FanoutResult;
  readonly watcher: GroupWatcher;
  readonly activity: ReadonlyMap<string, ActivityTimes>;
  /** Appended to: siblings that did not end CANCELLED. */
  readonly problems: string[];
}

/** One sample per sibling whose group the watcher found, timed from the failure. */
function siblingSamples(
  facts: RunFacts,
  unitIds: readonly string[],
): { samples: CancelSample[]; launched: number; cancelled: number } {
  const { run, failureAtMs, result, watcher, activity, problems } = facts;
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
  return { samples, launched, cancelled };
}

export async function runCancelShape(
  env: Environment,
  client: Client,
  shape: Shape,
  runs: number,
  runLabel: string,
  prefetch?: number,
): Promise<CancelReport> {
  log(`cancel: ${shape.title}, ${runs} runs`);
  resetPeakRss(env.worker.pid);
  const before = counters(env);
  const details: CancelRun[] = [];
  for (let run = 1; run <= runs; run++) {
    const outcome = await runOnce(env, client, shape, runLabel, run, prefetch);
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
