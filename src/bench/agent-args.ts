/** The fake agent's arguments in the bench shapes: its work between stamps of its own (shapes.ts). */

/**
 * Each agent appends `<unit_id> attempt=<n> start|end <epoch ms>` to this file (relative to the
 * repo, inside the unit's own area, where confinement lets it write) as its first and last
 * action, so the bench sees when the agent's own code ran, apart from what it took to launch it
 * and to notice its exit; then its own CPU (`--cpu-times`), so the coordinator's CPU per launch
 * leaves out the agent's as it was where it ran, not as a calibration apart from the run had it.
 */
export function stampFileOf(unitId: string): string {
  return `src/${unitId}/.bench-stamps.txt`;
}

/** The stamp file in the agent's argv: the `{unit_id}` placeholder makes it the unit's own. */
const STAMP_ARG = stampFileOf('{unit_id}');

const START = ['--stamp', STAMP_ARG, 'start'];
const END = ['--stamp', STAMP_ARG, 'end'];
const CPU_TIMES = ['--cpu-times', STAMP_ARG];

const stamped = (body: readonly string[]): string[] => [...START, ...body, ...END, ...CPU_TIMES];
export const INSTANT = stamped(['--artifact', 'x.md']);
export const sleeping = (ms: number): string[] => stamped(['--sleep-ms', String(ms), '--artifact', 'x.md']);

/** An agent that fails `ms` after its start; its `end` stamp, the failure's moment, comes last before `exit 1`. */
export const failingAfter = (ms: number): string[] => [
  ...START,
  ...['--sleep-ms', String(ms), '--say', 'failing on purpose'],
  ...CPU_TIMES,
  ...END,
  ...['--exit', '1'],
];
