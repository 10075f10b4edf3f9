/** The bench's command line: `npm run bench -- --help`. */
import path from 'node:path';
import { PROJECT_ROOT } from '../dev/find-temporal-cli';
import { CANCEL_TARGET_P95_MS } from './cancel';
import { MAX_EVENTS_PER_EXECUTION, MAX_PAYLOAD_BYTES } from './chain';
import { OVERHEAD_RATIO_TARGET } from './scale';
import { HOSTS_PLAN } from './hosts';
import { WORKSPACE_TARGET_P95_MS } from './workspace';
import {
  CANCEL_DEFAULTS,
  DEFAULT_SHAPES,
  SCALE_BASE_UNITS,
  SCALE_MAX_WORKERS,
  SCALE_UNITS,
  SHAPE_NAMES,
  type ShapeName,
} from './shapes';

/** Cancel runs (15 siblings each) at full and `--quick` size. */
export const CANCEL_RUNS = { full: 5, quick: 2 };
/** Units of the `scale` shape with `--quick` (full: {@link SCALE_UNITS}). */
export const SCALE_QUICK_UNITS = 1000;

export const USAGE = `Usage: npm run bench -- [--quick] [--shape NAME[,NAME...]] [--all] [--out DIR]
                        [--scale-units N] [--cancel-runs N] [--history-event-limit N]
                        [--profile-worker DIR] [--prefetch N]

  --quick           small versions of the shapes (the default set in about 2 minutes on 2 cores)
  --shape NAMES     run these shapes only (repeatable, or comma-separated):
                    ${SHAPE_NAMES.join(', ')}
  --all             every shape, scale, workspace and hosts included
  --out DIR         where the JSON goes (default bench/results)
  --scale-units N   units of the scale shape (default ${SCALE_UNITS}, --quick ${SCALE_QUICK_UNITS});
                    its levels are round(sqrt(N)); the baselines stay at ${SCALE_BASE_UNITS} units
  --cancel-runs N   runs of the cancel shape (default ${CANCEL_RUNS.full}, --quick ${CANCEL_RUNS.quick})
  --history-event-limit N
                    the scale run continues as new after N events instead of the workflow's
                    default (to try a chain of executions on a small plan; not for measurements)
  --profile-worker DIR
                    run the worker with node --cpu-prof: one .cpuprofile per thread (main and
                    workflow threads) in DIR, written when the worker stops; open them in Chrome
                    DevTools or speedscope. Profiling slows the worker: not for measurements
  --prefetch N      start the runs (and the cancel and scale runs) with --prefetch N instead of
                    the product's default (16, at most max_workers); 0: none

Shapes (see src/bench/shapes.ts):
  chain, wide, lattice, dag
           throughput: makespan vs ideal, per-unit overhead, history, worker CPU and RSS
  wide-sh  wide with the seed's own agent, sh -c 'sleep 1' then its artifact instead of the fake
           agent (no stamps: no launch breakdown), to compare with the seed like for like.
           Not in the default set: --shape wide-sh or --all.
  cancel   ${CANCEL_DEFAULTS.siblings} siblings sleeping ${CANCEL_DEFAULTS.siblingMs / 1000} s, one unit failing after ${CANCEL_DEFAULTS.failAfterMs / 1000} s (on_failure cancel,
           max_attempts 1), repeated: failing agent's exit -> each sibling's process group
           gone, p50/p95/max (target p95 <= ${CANCEL_TARGET_P95_MS} ms)
  scale    ${SCALE_UNITS} units, random DAG over round(sqrt(N)) = ${Math.round(Math.sqrt(SCALE_UNITS))} levels (width ~${Math.round(Math.sqrt(SCALE_UNITS))}),
           instant agents, max_workers ${SCALE_MAX_WORKERS}; then progress, the result and retry are checked.
           Baselines for the per-unit overhead ratio (target <= ${OVERHEAD_RATIO_TARGET}, p50 and p95):
           scale-base (${SCALE_BASE_UNITS} units over ${Math.round(Math.sqrt(SCALE_BASE_UNITS))} levels: the same square aspect) and
           scale-base-wide (${SCALE_BASE_UNITS} units on 1 level: the same width, so as many agents run
           at once as in the big run). Not in the default set (well over 10 minutes on
           2 cores): --shape scale or --all.
  workspace
           git working trees (SPEC §9) vs the shared checkout: repositories of 10,000 and 100,000
           committed files (--quick: 10,000, fewer units) under /var/tmp, each run in shared mode,
           git mode with an empty pool of released trees, and git mode again (reused trees):
           unit start -> agent start p50/p95, git/shared, disk of one working tree (target p95
           <= ${WORKSPACE_TARGET_P95_MS} ms at 100,000 files, reused trees). Not in the default set: --shape workspace or --all.
  hosts    many hosts through a shared git remote (SPEC §10): ${HOSTS_PLAN.units} units in three levels, agents of
           ${HOSTS_PLAN.agentMs / 1000} s, max_workers ${HOSTS_PLAN.maxWorkers}: single-host git mode, --remote on one worker, --remote on
           two workers (own --workdir): makespan one vs two workers, per-unit fetch + push overhead
           vs single-host git mode p50/p95. Not in the default set: --shape hosts or --all.
Default set: ${DEFAULT_SHAPES.join(', ')}.
Every run must keep <= ${MAX_EVENTS_PER_EXECUTION} events per execution and <= ${MAX_PAYLOAD_BYTES} bytes per payload,
else the bench exits 1 (as for a failed run or check); targets are reported as met or MISSED.
`;

export interface Options {
  readonly quick: boolean;
  readonly shapes: readonly ShapeName[];
  readonly outDir: string;
  readonly scaleUnits?: number;
  readonly cancelRuns?: number;
  readonly historyEventLimit?: number;
  readonly profileDir?: string;
  /** `--prefetch N` for every run of the shapes. */
  readonly prefetch?: number;
}

function countOf(flag: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0)
    throw new Error(`${flag} needs an integer from 0, got '${value}'`);
  return parsed;
}

function positiveInteger(flag: string, value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new Error(`${flag} needs a positive integer, got '${value}'`);
  return parsed;
}

export function parseArgs(argv: readonly string[]): Options | 'help' {
  let quick = false;
  let all = false;
  const chosen: ShapeName[] = [];
  let outDir = path.join(PROJECT_ROOT, 'bench', 'results');
  let scaleUnits: number | undefined;
  let cancelRuns: number | undefined;
  let historyEventLimit: number | undefined;
  let profileDir: string | undefined;
  let prefetch: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--quick') quick = true;
    else if (arg === '--all') all = true;
    else if (arg === '--help' || arg === '-h') return 'help';
    else if (
      [
        '--shape',
        '--out',
        '--scale-units',
        '--cancel-runs',
        '--history-event-limit',
        '--profile-worker',
        '--prefetch',
      ].includes(arg)
    ) {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value\n\n${USAGE}`);
      if (arg === '--out') outDir = path.resolve(value);
      else if (arg === '--profile-worker') profileDir = path.resolve(value);
      else if (arg === '--scale-units') scaleUnits = positiveInteger(arg, value);
      else if (arg === '--cancel-runs') cancelRuns = positiveInteger(arg, value);
      else if (arg === '--history-event-limit') historyEventLimit = positiveInteger(arg, value);
      else if (arg === '--prefetch') prefetch = countOf(arg, value);
      else
        for (const name of value.split(',').filter((part) => part !== '')) {
          if (!(SHAPE_NAMES as readonly string[]).includes(name))
            throw new Error(`unknown shape '${name}'; one of ${SHAPE_NAMES.join(', ')}`);
          if (!chosen.includes(name as ShapeName)) chosen.push(name as ShapeName);
        }
    } else throw new Error(`unknown argument '${arg}'\n\n${USAGE}`);
  }
  const shapes = all ? [...SHAPE_NAMES] : chosen.length > 0 ? chosen : [...DEFAULT_SHAPES];
  return {
    quick,
    shapes,
    outDir,
    ...(scaleUnits === undefined ? {} : { scaleUnits }),
    ...(cancelRuns === undefined ? {} : { cancelRuns }),
    ...(historyEventLimit === undefined ? {} : { historyEventLimit }),
    ...(profileDir === undefined ? {} : { profileDir }),
    ...(prefetch === undefined ? {} : { prefetch }),
  };
}
