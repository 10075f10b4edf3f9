/** Everything one shape's run reports: its metrics, its costs, its history chain and checks. */
import type { ChainFacts } from './chain';
import type { CpuPerLaunch, ProcessFigures, ShapeMetrics } from './figures';
import type { ReplayCost } from './replay';
import type { ScaleChecks } from './scale';

export type ShapeReport = ShapeMetrics & {
  readonly process: ProcessFigures;
  readonly cpuPerLaunch: CpuPerLaunch;
  readonly replay: ReplayCost;
  /** The run's executions (more than one once it continued as new), events and largest payload. */
  readonly chain: ChainFacts;
  /** Temporal's limits this run broke (events per execution, payload size); empty when none. */
  readonly limitViolations: readonly string[];
  /** `scale` only: progress, result and retry checked after the run. */
  readonly checks?: ScaleChecks;
};
