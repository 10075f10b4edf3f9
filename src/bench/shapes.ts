/**
 * The plan shapes the benchmark runs, full size and `--quick` size.
 *
 * Every unit runs the fake agent (test/fixtures/fake-agent) with the same arguments within a
 * shape, so the agent's own duration is fixed and known; every unit writes one artifact, which is
 * its evidence, and stamps its first and last action in its own {@link stampFileOf}. Each unit owns
 * `src/<unit_id>`, so no two units overlap, and every shape runs under Landlock (the plan's default).
 *
 * - `chain`: N units, each depending on the one before; instant agents (`--artifact x.md`).
 *   Measures the per-link coordinator latency: one completion, one launch, nothing else going on.
 * - `wide`: N independent units of 1 s each, max_workers 64. Measures slot refill under the cap:
 *   every completion must be turned into the next launch while 63 others run. `wide-sh`: the same
 *   with the seed's own agent (`sh -c 'sleep 1'`, then the artifact; no stamps), not the fake one.
 * - `lattice`: L layers of W units, each unit depending on ALL W units of the previous layer (a
 *   barrier per layer); instant agents; max_workers W. Measures fan-in (W completions handled
 *   before the layer's last one releases the next layer) and fan-out (W launches at once).
 * - `dag`: a random DAG with a fixed seed: units are spread over `levels` levels at random (so a
 *   level holds about N / levels units: the width), each unit of level l > 0 depends on one random
 *   unit of level l-1 plus 0 to 2 random units of levels l-3..l-1. Agents take 200 ms, so about
 *   a level's worth of agents run at once and completions arrive in bursts, as in real plans.
 * - `cancel`: not a throughput shape but the cancel latency (failure -> every sibling's
 *   process group gone, p95 <= 2 s). max_workers 16, on_failure cancel, max_attempts 1: 15
 *   siblings sleep 60 s, one unit (`z-fail`, launched last by code-point order) fails 2 s after
 *   it started. Repeated (5 runs, `--quick` 2) for percentiles; see `cancel.ts`.
 * - `scale`: the same random-DAG generator at 10,000 units over 100 levels (width ~100), instant
 *   agents, max_workers 32, and its baseline `scale-base`: the same generator at 100
 *   units over 10 levels, max_workers 32. Both keep levels = round(sqrt(units)), so width and depth
 *   grow alike (a square DAG) and the overhead ratio compares scale, not aspect. A second baseline,
 *   `scale-base-wide`, puts the 100 units on 1 level (width 100, as in the big run), so 32 agents
 *   run at once as they do at 10,000: on a small machine the per-unit overhead grows with the
 *   agents running at once, and this baseline separates that from the size of the run.
 *   `--scale-units N` shrinks the big one (levels = round(sqrt(N))). Then `progress`, the result
 *   and `retry` are checked on the big run; see `scale.ts`.
 */
import path from 'node:path';
import { PROJECT_ROOT } from '../dev/find-temporal-cli';
import { seededRandom } from './seeded-random';
import { failingAfter, INSTANT, sleeping } from './agent-args';

/**
 * What `--shape` accepts. `scale` runs `scale-base` too; `scale`, `workspace` (git working
 * trees vs the shared checkout on big repositories, see `workspace.ts`) and `hosts` (a shared git
 * remote, one worker vs two, see `hosts.ts`) run only with `--shape` or `--all`.
 */
export const SHAPE_NAMES = [
  'chain',
  'wide',
  'wide-sh',
  'lattice',
  'dag',
  'cancel',
  'scale',
  'workspace',
  'hosts',
] as const;
export type ShapeName = (typeof SHAPE_NAMES)[number];

/**
 * The shapes a plain `npm run bench` runs: all but `scale` (10,000 units take well over 10 minutes
 * on 2 cores) and `workspace` (it writes repositories of 100,000 files).
 */
export const DEFAULT_SHAPES: readonly ShapeName[] = ['chain', 'wide', 'lattice', 'dag', 'cancel'];

/** The throughput shapes: one run each through `runShape`, reported in the summary tables. */
export type RunShapeName =
  'chain' | 'wide' | 'wide-sh' | 'lattice' | 'dag' | 'scale-base' | 'scale-base-wide' | 'scale';

export const FAKE_AGENT = path.join(PROJECT_ROOT, 'test', 'fixtures', 'fake-agent');

/** The seed of the random DAG: the same plan on every run and every machine. */
export const DAG_SEED = 20_240_601;

export interface BenchUnit {
  readonly unitId: string;
  readonly dependencies: readonly string[];
  /** The unit's own fake-agent arguments instead of the shape's `agentArgs`. */
  readonly agentArgs?: readonly string[];
}

export interface Shape {
  readonly name: RunShapeName | 'cancel';
  /** One line, e.g. `chain of 100, instant agents`. */
  readonly title: string;
  readonly maxWorkers: number;
  /** The fake agent's arguments, the same for every unit. */
  readonly agentArgs: readonly string[];
  /** What one agent is asked to take, in ms (0: instant). */
  readonly agentMs: number;
  readonly units: readonly BenchUnit[];
  /** Plan keys added to the plan file as they are (e.g. `on_failure`, `retry`). */
  readonly planKeys?: Readonly<Record<string, unknown>>;
  /**
   * An agent other than the fake one, for every unit: its argv, and the same argv with its sleep
   * made 0 (what agent-own-cpu.ts runs to measure the agent's own CPU).
   */
  readonly command?: { readonly run: readonly string[]; readonly idle: readonly string[] };
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

export function chainShape(length: number): Shape {
  const id = (i: number): string => `c${pad(i, 4)}`;
  return {
    name: 'chain',
    title: `chain of ${length}, instant agents`,
    maxWorkers: 8,
    agentArgs: INSTANT,
    agentMs: 0,
    units: Array.from({ length }, (_, i) => ({ unitId: id(i), dependencies: i === 0 ? [] : [id(i - 1)] })),
  };
}

export function wideShape(count: number, agentMs: number, maxWorkers: number): Shape {
  return {
    name: 'wide',
    title: `${count} independent x ${agentMs / 1000} s, max_workers ${maxWorkers}`,
    maxWorkers,
    agentArgs: sleeping(agentMs),
    agentMs,
    units: Array.from({ length: count }, (_, i) => ({ unitId: `w${pad(i, 4)}`, dependencies: [] })),
  };
}

/**
 * The seed's own agent (issue 18 compares with the seed driving `sh -c 'sleep S'`): sh sleeps,
 * then writes the artifact that makes the unit's evidence. No stamps, so the launch breakdown
 * that needs them stays empty.
 */
const SH_AGENT = 'sleep "$1" && echo done > "$FANOUT_ARTIFACT_DIR/x.md"';

export function wideShShape(count: number, agentMs: number, maxWorkers: number): Shape {
  const seconds = (ms: number): string => String(ms / 1000);
  return {
    ...wideShape(count, agentMs, maxWorkers),
    name: 'wide-sh',
    title: `${count} independent x ${agentMs / 1000} s, max_workers ${maxWorkers}, sh -c 'sleep' agents (the seed's)`,
    agentArgs: [],
    command: {
      run: ['sh', '-c', SH_AGENT, 'agent', seconds(agentMs)],
      idle: ['sh', '-c', SH_AGENT, 'agent', '0'],
    },
  };
}

export function latticeShape(layers: number, width: number): Shape {
  const id = (layer: number, i: number): string => `l${pad(layer, 2)}-${pad(i, 2)}`;
  const units: BenchUnit[] = [];
  for (let layer = 0; layer < layers; layer++) {
    const previous = layer === 0 ? [] : Array.from({ length: width }, (_, i) => id(layer - 1, i));
    for (let i = 0; i < width; i++) units.push({ unitId: id(layer, i), dependencies: previous });
  }
  return {
    name: 'lattice',
    title: `lattice ${layers}x${width} (all-to-all between layers), instant agents`,
    maxWorkers: width,
    agentArgs: INSTANT,
    agentMs: 0,
    units,
  };
}

export function dagShape(count: number, levels: number, agentMs: number, maxWorkers: number): Shape {
  if (levels < 1 || levels > count) throw new Error(`a DAG of ${count} units cannot have ${levels} levels`);
  const random = seededRandom(DAG_SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  // Every level gets one unit, then the rest land on levels at random.
  const levelOf = Array.from({ length: count }, (_, i) => (i < levels ? i : Math.floor(random() * levels)));
  levelOf.sort((a, b) => a - b);
  const id = (i: number): string => `d${pad(i, 4)}`;
  const byLevel: string[][] = Array.from({ length: levels }, () => []);
  levelOf.forEach((level, i) => byLevel[level]?.push(id(i)));
  const units = levelOf.map((level, i): BenchUnit => {
    if (level === 0) return { unitId: id(i), dependencies: [] };
    const dependencies = new Set([pick(byLevel[level - 1] ?? [])]);
    const extra = Math.floor(random() * 3);
    for (let k = 0; k < extra; k++) {
      const from = Math.max(0, level - 3) + Math.floor(random() * Math.min(3, level));
      dependencies.add(pick(byLevel[from] ?? []));
    }
    return { unitId: id(i), dependencies: [...dependencies].sort() };
  });
  return {
    name: 'dag',
    title: `random DAG of ${count} (${levels} levels, width ~${Math.round(count / levels)}, seed ${DAG_SEED}), ${agentMs === 0 ? 'instant' : `${agentMs} ms`} agents, max_workers ${maxWorkers}`,
    maxWorkers,
    agentArgs: agentMs === 0 ? INSTANT : sleeping(agentMs),
    agentMs,
    units,
  };
}

/** The units of the scale shape and of its baseline. */
export const SCALE_UNITS = 10_000;
export const SCALE_BASE_UNITS = 100;
export const SCALE_MAX_WORKERS = 32;

/**
 * The scale DAG: {@link dagShape} with instant agents and max_workers 32, by default over
 * round(sqrt(units)) levels, so width ~ depth (10,000 -> 100 levels of ~100; 100 -> 10 of ~10).
 */
export function scaleShape(
  count: number,
  name: 'scale' | 'scale-base' | 'scale-base-wide',
  levels = Math.max(1, Math.round(Math.sqrt(count))),
): Shape {
  const dag = dagShape(count, levels, 0, SCALE_MAX_WORKERS);
  return { ...dag, name, title: dag.title.replace(/^random DAG/, `${name}: random DAG`) };
}

/** The throughput shapes (those of the default set, and `wide-sh`), at full size or at `--quick` size. */
export function benchShapes(quick: boolean): Shape[] {
  return quick
    ? [
        chainShape(50),
        wideShape(200, 1000, 64),
        wideShShape(200, 1000, 64),
        latticeShape(10, 5),
        dagShape(200, 5, 200, 64),
      ]
    : [
        chainShape(100),
        wideShape(1000, 1000, 64),
        wideShShape(1000, 1000, 64),
        latticeShape(20, 10),
        dagShape(1000, 10, 200, 128),
      ];
}

/** The unit that fails in the cancel shape; `z` sorts it after every sibling, so it launches last. */
export const CANCEL_FAILING_UNIT = 'z-fail';

export interface CancelShapeOptions {
  /** Siblings that run long and must be cancelled (15). */
  readonly siblings: number;
  /** How long the failing unit's agent runs before it exits 1 (2,000 ms). */
  readonly failAfterMs: number;
  /** How long a sibling would run if nobody cancelled it (60,000 ms). */
  readonly siblingMs: number;
}

export const CANCEL_DEFAULTS: CancelShapeOptions = { siblings: 15, failAfterMs: 2000, siblingMs: 60_000 };

/**
 * The cancel-latency plan: `siblings` long units and {@link CANCEL_FAILING_UNIT}, all independent,
 * max_workers = all of them, on_failure cancel, one attempt. The failing agent stamps `end` as
 * its last action before `exit 1`: that stamp is the failure's moment.
 */
export function cancelShape(options: CancelShapeOptions = CANCEL_DEFAULTS): Shape {
  const siblings = Array.from({ length: options.siblings }, (_, i) => ({
    unitId: `s${pad(i, 2)}`,
    dependencies: [],
  }));
  return {
    name: 'cancel',
    title: `${options.siblings} siblings x ${options.siblingMs / 1000} s + 1 failing after ${options.failAfterMs / 1000} s, on_failure cancel, max_workers ${options.siblings + 1}`,
    maxWorkers: options.siblings + 1,
    agentArgs: sleeping(options.siblingMs),
    agentMs: options.siblingMs,
    units: [
      ...siblings,
      {
        unitId: CANCEL_FAILING_UNIT,
        dependencies: [],
        agentArgs: failingAfter(options.failAfterMs),
      },
    ],
    planKeys: { on_failure: 'cancel', retry: { max_attempts: 1 } },
  };
}
