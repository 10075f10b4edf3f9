/** What a bench shape runs: its plan file, and its agent's argv. */
import { FAKE_AGENT, type Shape } from './shapes';

/** The plan file (as parsed JSON) of a shape, for `validatePlanValue`. */
export function planValue(shape: Shape, runLabel: string): Record<string, unknown> {
  return {
    name: `bench-${shape.name}-${runLabel}`,
    max_workers: shape.maxWorkers,
    ...shape.planKeys,
    agent: { command: shape.command?.run ?? [FAKE_AGENT, ...shape.agentArgs] },
    work_units: shape.units.map((unit) => ({
      unit_id: unit.unitId,
      description: `Benchmark unit ${unit.unitId}.`,
      allowed_directories: [`src/${unit.unitId}`],
      dependencies: unit.dependencies,
      ...(unit.agentArgs === undefined ? {} : { command: [FAKE_AGENT, ...unit.agentArgs] }),
    })),
  };
}

/** The agent's argv with every sleep made 0: the CPU is the same, the wall time is not. */
export function idleCommandOf(shape: Shape): readonly string[] {
  if (shape.command !== undefined) return shape.command.idle;
  const args = shape.agentArgs;
  return [FAKE_AGENT, ...args.map((arg, i) => (args[i - 1] === '--sleep-ms' ? '0' : arg))];
}
