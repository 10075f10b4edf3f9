/**
 * The plan shapes the benchmark runs, full size and `--quick` size.
 *
 * Every unit runs the fake agent (test/fixtures/fake-agent) with the same arguments within a
 * shape, so the agent's own duration is fixed and known; every unit writes one artifact, which is
 * its evidence, and stamps its first and last action in {@link STAMP_FILE}. Each unit owns
 * `src/<unit_id>`, so no two units overlap.
 *
 * - `chain`: N units, each depending on the one before; instant agents (`--artifact x.md`).
 *   Measures the per-link coordinator latency: one completion, one launch, nothing else going on.
 * - `wide`: N independent units of 1 s each, max_workers 64. Measures slot refill under the cap:
 *   every completion must be turned into the next launch while 63 others run.
 * - `lattice`: L layers of W units, each unit depending on ALL W units of the previous layer (a
 *   barrier per layer); instant agents; max_workers W. Measures fan-in (W completions handled
 *   before the layer's last one releases the next layer) and fan-out (W launches at once).
 * - `dag`: a random DAG with a fixed seed: units are spread over `levels` levels at random (so a
 *   level holds about N / levels units: the width), each unit of level l > 0 depends on one random
 *   unit of level l-1 plus 0 to 2 random units of levels l-3..l-1. Agents take 200 ms, so about
 *   a level's worth of agents run at once and completions arrive in bursts, as in real plans.
 */
import path from 'node:path';
import { PROJECT_ROOT } from '../dev/find-temporal-cli';

export const SHAPE_NAMES = ['chain', 'wide', 'lattice', 'dag'] as const;
export type ShapeName = (typeof SHAPE_NAMES)[number];

export const FAKE_AGENT = path.join(PROJECT_ROOT, 'test', 'fixtures', 'fake-agent');

/** The seed of the random DAG: the same plan on every run and every machine. */
export const DAG_SEED = 20_240_601;

export interface BenchUnit {
  readonly unitId: string;
  readonly dependencies: readonly string[];
}

export interface Shape {
  readonly name: ShapeName;
  /** One line, e.g. `chain of 100, instant agents`. */
  readonly title: string;
  readonly maxWorkers: number;
  /** The fake agent's arguments, the same for every unit. */
  readonly agentArgs: readonly string[];
  /** What one agent is asked to take, in ms (0: instant). */
  readonly agentMs: number;
  readonly units: readonly BenchUnit[];
}

/**
 * Each agent appends `<unit_id> attempt=<n> start|end <epoch ms>` to this file (relative to the
 * repo) as its first and last action, so the bench sees when the agent's own code ran, apart from
 * what it took to launch it and to notice its exit.
 */
export const STAMP_FILE = '.bench-stamps.txt';

const stamped = (body: readonly string[]): string[] => [
  '--stamp',
  STAMP_FILE,
  'start',
  ...body,
  '--stamp',
  STAMP_FILE,
  'end',
];
const INSTANT = stamped(['--artifact', 'x.md']);
const sleeping = (ms: number): string[] => stamped(['--sleep-ms', String(ms), '--artifact', 'x.md']);

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

/** xorshift32: small, fast, and the same sequence everywhere for a given seed. Values in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state ^ (state << 13)) >>> 0;
    state = (state ^ (state >>> 17)) >>> 0;
    state = (state ^ (state << 5)) >>> 0;
    return state / 0x1_0000_0000;
  };
}

export function dagShape(count: number, levels: number, agentMs: number, maxWorkers: number): Shape {
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
    title: `random DAG of ${count} (${levels} levels, width ~${Math.round(count / levels)}, seed ${DAG_SEED}), ${agentMs} ms agents, max_workers ${maxWorkers}`,
    maxWorkers,
    agentArgs: sleeping(agentMs),
    agentMs,
    units,
  };
}

/** The four shapes at full size, or at `--quick` size. */
export function benchShapes(quick: boolean): Shape[] {
  return quick
    ? [chainShape(50), wideShape(200, 1000, 64), latticeShape(10, 5), dagShape(200, 5, 200, 64)]
    : [chainShape(100), wideShape(1000, 1000, 64), latticeShape(20, 10), dagShape(1000, 10, 200, 128)];
}

/** The plan file (as parsed JSON) of a shape, for `validatePlanValue`. */
export function planValue(shape: Shape, runLabel: string): Record<string, unknown> {
  return {
    name: `bench-${shape.name}-${runLabel}`,
    max_workers: shape.maxWorkers,
    agent: { command: [FAKE_AGENT, ...shape.agentArgs] },
    work_units: shape.units.map((unit) => ({
      unit_id: unit.unitId,
      description: `Benchmark unit ${unit.unitId}.`,
      allowed_directories: [`src/${unit.unitId}`],
      dependencies: unit.dependencies,
    })),
  };
}
