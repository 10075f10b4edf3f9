/** One throughput shape as a real run: started, awaited, its history and stamps read and measured. */
import { mkdtempSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { awaitResult, startRun, type FanoutHandle } from '../client/fanout-client';
import type { FanoutResult } from '../plan/types';
import { validatePlanValue } from '../plan/validate';
import { agentOwnCpuMs, cpuPerLaunch } from './agent-own-cpu';
import { launchesAheadOfReady } from './launch-order';
import { chainFacts, fetchChain, firstRunIdOf, limitViolations, type ChainFacts } from './chain';
import { counters, log, processFigures, type Environment } from './env';
import { analyzeHistories } from './history';
import { shapeMetrics } from './metrics';
import { replayCost } from './replay';
import type { ScaleChecks } from './scale';
import type { ShapeReport } from './shape-report';
import { idleCommandOf, planValue } from './shape-plan';
import type { Shape } from './shapes';
import { untilDone } from './stall';
import { agentCpuPerRunMs, readStamps } from './stamps';
import { resetPeakRss } from './worker-process';

/** What a check after the run gets: the run is over, its repo (and its artifacts) still there. */
export interface FinishedRun {
  readonly handle: FanoutHandle;
  readonly workflowId: string;
  readonly result: FanoutResult;
  readonly chain: ChainFacts;
}

/** Runs one shape as a real run and measures it (see metrics.ts); its scratch repo is removed after. */
export async function runShape(
  env: Environment,
  client: Client,
  shape: Shape,
  runLabel: string,
  options: {
    /** Checks after the run, before its repo is removed. */
    readonly after?: (run: FinishedRun) => Promise<ScaleChecks>;
    /** Events per execution before the run continues as new (the workflow's default when unset). */
    readonly historyEventLimit?: number;
    /** `--prefetch N` for the run (the product's default when unset). */
    readonly prefetch?: number;
  } = {},
): Promise<ShapeReport> {
  const { after, historyEventLimit, prefetch } = options;
  const validation = validatePlanValue(planValue(shape, runLabel), { fileName: `${shape.name}.json` });
  if (!validation.ok) throw new Error(`the ${shape.name} plan is invalid: ${validation.message}`);
  const repo = realpathSync(mkdtempSync(path.join(env.scratch, `repo-${shape.name}-`)));
  const workflowId = `bench-${shape.name}-${runLabel}`;
  // The repository stays until the bench ends: deleting thousands of files here would make the
  // next shape's creates dearer on some disks (create-cost.ts).
  resetPeakRss(env.worker.pid);
  const before = counters(env);
  log(`${shape.name}: ${shape.title} (${shape.units.length} units)`);
  const handle = await startRun(client, {
    plan: validation.plan,
    repo,
    taskQueue: env.taskQueue,
    workflowId,
    ...(historyEventLimit === undefined ? {} : { historyEventLimit }),
    ...(prefetch === undefined ? {} : { prefetch }),
  });
  const result = await untilDone(client, workflowId, awaitResult(handle));
  const after_ = counters(env);
  logLaunchOrder(shape, result);
  const figures = processFigures(env, before, after_);
  const launches = Object.values(result.units).reduce((sum, unit) => sum + unit.attempts, 0);
  const stamps = readStamps(
    repo,
    shape.units.map((unit) => unit.unitId),
  );
  const inRunMs = agentCpuPerRunMs(stamps);
  const cpu = cpuPerLaunch(
    figures,
    launches,
    inRunMs === undefined
      ? { ms: agentOwnCpuMs(env.scratch, idleCommandOf(shape)), measured: 'apart' }
      : { ms: inRunMs, measured: 'in run' },
  );
  const executions = await fetchChain(client, workflowId, firstRunIdOf(handle), log);
  const histories = executions.map((execution) => execution.history);
  const facts = analyzeHistories(histories);
  const chain = chainFacts(executions);
  const violations = limitViolations(chain, shape.name);
  for (const violation of violations) log(`LIMIT EXCEEDED: ${violation}`);
  const checks = after === undefined ? undefined : await after({ handle, workflowId, result, chain });
  const metrics = shapeMetrics(shape, workflowId, result, facts, stamps, chain.historyBytes);
  const replay = await replayCost(histories, facts, env.bundlePath);
  log(
    `${shape.name}: ${result.status} in ${figures.wallSeconds.toFixed(1)} s, ` +
      `${chain.executions} execution(s), max ${chain.maxEventsInExecution} events, ` +
      `makespan ${(metrics.makespan.agentsMs / 1000).toFixed(2)} s vs ideal ${(metrics.makespan.idealMs / 1000).toFixed(2)} s` +
      (replay.error === undefined ? '' : `; REPLAY FAILED: ${replay.error}`),
  );
  return {
    ...metrics,
    process: figures,
    cpuPerLaunch: cpu,
    replay,
    chain,
    limitViolations: violations,
    ...(checks === undefined ? {} : { checks }),
  };
}

/** How many launches went ahead of a ready unit with a smaller id (SPEC §3): none, prefetch or not. */
function logLaunchOrder(shape: Shape, result: FanoutResult): void {
  const order = launchesAheadOfReady(result.events, shape.units);
  log(
    `${shape.name}: ${order.ahead} of ${order.launches} launches went ahead of a ready unit with a smaller id`,
  );
}
