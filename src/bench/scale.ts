/**
 * The checks of the `scale` shape after its run (large plans): a plan of 10,000 units must complete
 * in one logical run (a chain of executions continued as new) with no execution above 10,240
 * events and no payload above 2 MB (see `chain.ts`), and then
 * - `progress` answers for every unit with the right counts,
 * - the result (through `awaitResult`, which loads a result stored as a file on the worker host)
 *   holds every unit SUCCEEDED,
 * - `retry` of the run (client API `retryRun`) completes with every unit reused (`reused_from`
 *   set, 0 attempts), within the same limits;
 * and the targets: per-unit overhead at 10,000 within 1.5x of the same generator at 100
 * (`scale-base`), p50 and p95; worker peak RSS <= 400 MiB.
 */
import type { Client } from '@temporalio/client';
import { awaitResult, readProgress, type FanoutHandle } from '../client/fanout-client';
import { retryRun } from '../client/run/retry-run';
import type { FanoutResult } from '../plan/types';
import { chainFacts, fetchChain, firstRunIdOf, limitViolations, type ChainFacts } from './chain';
import { log, round, type Environment } from './env';
import type { ShapeMetrics } from './figures';
import type { Shape } from './shapes';
import { untilDone } from './stall';
import { resetPeakRss, statusMiB } from './worker-process';

/** Target: overhead@10,000 / overhead@100, p50 and p95. */
export const OVERHEAD_RATIO_TARGET = 1.5;
/** Target: the worker's peak RSS at 10,000 units. */
export const WORKER_RSS_TARGET_MIB = 400;

export interface ProgressCheck {
  readonly ok: boolean;
  readonly ms: number;
  readonly state?: string;
  readonly units?: number;
  readonly counts?: Readonly<Record<string, number>>;
  /** The answer as JSON, in bytes. */
  readonly answerBytes?: number;
  readonly error?: string;
}

export interface ResultCheck {
  readonly ok: boolean;
  readonly units: number;
  readonly succeeded: number;
  /** Set when the run's close event pointed to a result file instead of carrying the result. */
  readonly resultFile?: ChainFacts['resultFile'];
}

export interface RetryCheck {
  readonly ok: boolean;
  readonly workflowId: string;
  /** retryRun called -> its result read. */
  readonly ms: number;
  readonly status?: string;
  readonly units?: number;
  readonly reused?: number;
  readonly rerun?: number;
  readonly workerPeakRssMiB?: number;
  readonly chain?: Omit<ChainFacts, 'runIds'>;
  readonly error?: string;
}

export interface ScaleChecks {
  readonly progress: ProgressCheck;
  readonly result: ResultCheck;
  readonly retry: RetryCheck;
  /** Failed checks and broken limits, in words; empty when all passed. */
  readonly problems: readonly string[];
}

/** The per-unit overhead of the big run over a baseline's. */
export interface OverheadRatio {
  readonly baseline: string;
  readonly baseUnits: number;
  readonly baseMeanRunning: number;
  readonly overheadP50Ratio: number;
  readonly overheadP95Ratio: number;
  readonly met: boolean;
}

export interface ScaleTargets {
  readonly units: number;
  readonly meanRunning: number;
  /** The first is the judged comparison (`scale-base`); the others explain it. */
  readonly ratios: readonly OverheadRatio[];
  readonly overheadTarget: number;
  /** Against the first baseline. */
  readonly overheadMet: boolean;
  readonly workerPeakRssMiB: number;
  readonly rssTargetMiB: number;
  readonly rssMet: boolean;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function checkProgress(handle: FanoutHandle, shape: Shape): Promise<ProgressCheck> {
  const started = Date.now();
  try {
    const progress = await readProgress(handle);
    const ms = Date.now() - started;
    const counts = progress.counts as Record<string, number>;
    const total = shape.units.length;
    const ok =
      progress.units.length === total &&
      counts.SUCCEEDED === total &&
      Object.values(counts).reduce((sum, count) => sum + count, 0) === total &&
      progress.state === 'succeeded' &&
      progress.units.every((unit) => unit.status === 'SUCCEEDED' && unit.attempts === 1);
    return {
      ok,
      ms,
      state: progress.state,
      units: progress.units.length,
      counts,
      answerBytes: Buffer.byteLength(JSON.stringify(progress)),
    };
  } catch (error) {
    return { ok: false, ms: Date.now() - started, error: message(error) };
  }
}

function checkResult(result: FanoutResult, shape: Shape, chain: ChainFacts): ResultCheck {
  const units = Object.keys(result.units).length;
  const succeeded = Object.values(result.units).filter((unit) => unit.status === 'SUCCEEDED').length;
  return {
    ok: result.status === 'succeeded' && units === shape.units.length && succeeded === units,
    units,
    succeeded,
    ...(chain.resultFile === undefined ? {} : { resultFile: chain.resultFile }),
  };
}

async function checkRetry(
  client: Client,
  env: Environment,
  workflowId: string,
  shape: Shape,
): Promise<{ check: RetryCheck; problems: string[] }> {
  const retryId = `${workflowId}-retry`;
  const started = Date.now();
  resetPeakRss(env.worker.pid);
  /** What was being done, for the error message. */
  let stage = 'retryRun';
  try {
    const handle = await retryRun(client, workflowId, { workflowId: retryId });
    stage = 'awaitResult of the retry';
    const result = await untilDone(client, retryId, awaitResult(handle));
    const ms = Date.now() - started;
    const workerPeakRssMiB = round(statusMiB(env.worker.pid, 'VmHWM'), 1);
    stage = "reading the retry's history";
    const { runIds: _runIds, ...chain } = chainFacts(
      await fetchChain(client, retryId, firstRunIdOf(handle), log),
    );
    const outcomes = Object.values(result.units);
    const reused = outcomes.filter(
      (unit) => unit.status === 'SUCCEEDED' && unit.reused_from === workflowId && unit.attempts === 0,
    ).length;
    const ok =
      result.status === 'succeeded' && outcomes.length === shape.units.length && reused === outcomes.length;
    const problems = limitViolations({ ...chain, runIds: [] }, 'retry');
    if (!ok)
      problems.push(
        `retry: ${result.status}, ${reused} of ${outcomes.length} units reused (expected all ${shape.units.length})`,
      );
    return {
      check: {
        ok,
        workflowId: retryId,
        ms,
        status: result.status,
        units: outcomes.length,
        reused,
        rerun: outcomes.length - reused,
        workerPeakRssMiB,
        chain,
      },
      problems,
    };
  } catch (error) {
    return {
      check: {
        ok: false,
        workflowId: retryId,
        ms: Date.now() - started,
        error: `${stage}: ${message(error)}`,
      },
      problems: [`retry failed in ${stage}: ${message(error)}`],
    };
  }
}

/** The checks after the big run (see the file comment); `chain` is the run's own chain. */
export async function scaleChecks(
  client: Client,
  env: Environment,
  handle: FanoutHandle,
  workflowId: string,
  shape: Shape,
  result: FanoutResult,
  chain: ChainFacts,
): Promise<ScaleChecks> {
  const problems: string[] = [];
  const progress = await checkProgress(handle, shape);
  if (!progress.ok)
    problems.push(
      `progress: ${progress.error ?? `${progress.units} units, state ${progress.state}, counts ${JSON.stringify(progress.counts)}`}`,
    );
  log(`${shape.name}: progress ${progress.ok ? 'ok' : 'WRONG'} in ${progress.ms} ms`);
  const resultCheck = checkResult(result, shape, chain);
  if (!resultCheck.ok)
    problems.push(
      `result: ${resultCheck.succeeded} of ${resultCheck.units} SUCCEEDED, expected ${shape.units.length}`,
    );
  log(`${shape.name}: retry of ${workflowId}`);
  const retry = await checkRetry(client, env, workflowId, shape);
  problems.push(...retry.problems);
  log(
    `${shape.name}: retry ${retry.check.ok ? 'ok' : 'WRONG'} in ${(retry.check.ms / 1000).toFixed(1)} s` +
      (retry.check.error === undefined ? '' : `: ${retry.check.error}`),
  );
  return { progress, result: resultCheck, retry: retry.check, problems };
}

type RatioInput = Pick<ShapeMetrics, 'shape' | 'units' | 'overheadMs' | 'meanRunningAgents'>;

/** The overhead ratios (big / each baseline, the first one judged) and the RSS target. */
export function scaleTargets(
  baselines: readonly RatioInput[],
  big: RatioInput,
  workerPeakRssMiB: number,
): ScaleTargets {
  const ratios = baselines.map((base): OverheadRatio => {
    const ratio = (pick: 'p50' | 'p95'): number => {
      const over = big.overheadMs.all?.[pick];
      const under = base.overheadMs.all?.[pick];
      return over === undefined || under === undefined || under <= 0 ? Number.NaN : round(over / under, 3);
    };
    const overheadP50Ratio = ratio('p50');
    const overheadP95Ratio = ratio('p95');
    return {
      baseline: base.shape,
      baseUnits: base.units,
      baseMeanRunning: base.meanRunningAgents,
      overheadP50Ratio,
      overheadP95Ratio,
      met: overheadP50Ratio <= OVERHEAD_RATIO_TARGET && overheadP95Ratio <= OVERHEAD_RATIO_TARGET,
    };
  });
  return {
    units: big.units,
    meanRunning: big.meanRunningAgents,
    ratios,
    overheadTarget: OVERHEAD_RATIO_TARGET,
    overheadMet: ratios[0]?.met ?? false,
    workerPeakRssMiB,
    rssTargetMiB: WORKER_RSS_TARGET_MIB,
    rssMet: workerPeakRssMiB <= WORKER_RSS_TARGET_MIB,
  };
}
