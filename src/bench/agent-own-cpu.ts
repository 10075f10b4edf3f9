/**
 * What a shape's agent costs on its own: issue 18 asks for the coordinator's CPU per unit with
 * "the fake agent's own excluded", and the agents' CPU the bench reads (the launcher's children)
 * holds agents and supervisors together. The fake agent reports its own where it ran (stamps.ts);
 * an agent that does not (wide-sh's) is measured apart from the run, here.
 *
 * The agent runs `CALIBRATION_RUNS` times in a row from a bare bash loop, with the shape's own
 * argv, placeholders filled in, and no sleep; the loop's `times` gives its children's CPU.
 * Its artifact folders exist beforehand, as the worker makes them in a real run. CPU time
 * survives `exec`, so what Landlock's rules cost in the agent's process before it execs the agent
 * counts as the supervisor's, not the agent's.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { round } from './env';
import type { CpuPerLaunch, ProcessFigures } from './figures';
import { timesFieldMs } from './stamps';

const CALIBRATION_RUNS = 50;

const DRIVER = [
  'runs=$1; shift',
  'for ((i = 1; i <= runs; i++)); do',
  '  FANOUT_UNIT_ID=cal$i FANOUT_ATTEMPT=1 FANOUT_ARTIFACT_DIR="$PWD/ns/cal$i/artifacts" \\',
  '    "${@//\\{unit_id\\}/cal$i}" >/dev/null 2>&1 || { echo "run $i exited $?" >&2; exit 1; }',
  'done',
  'times',
].join('\n');

/**
 * CPU (user + system) of one run of the agent `argv` (its sleeps already made 0: `idleCommandOf`),
 * in ms; its runs work below `scratch`.
 */
export function agentOwnCpuMs(scratch: string, argv: readonly string[]): number {
  const folder = mkdtempSync(path.join(scratch, 'agent-own-cpu-'));
  for (let i = 1; i <= CALIBRATION_RUNS; i++) {
    mkdirSync(path.join(folder, 'ns', `cal${i}`, 'artifacts'), { recursive: true });
  }
  const done = spawnSync('bash', ['-c', DRIVER, 'driver', String(CALIBRATION_RUNS), ...argv], {
    cwd: folder,
    encoding: 'utf8',
  });
  if (done.status !== 0) {
    throw new Error(`the agent's calibration failed (${done.status ?? done.signal}): ${done.stderr.trim()}`);
  }
  // `times` prints the shell's own user and system time, then its children's.
  const children = done.stdout.trim().split('\n').at(-1)?.trim().split(/\s+/) ?? [];
  const [user, system] = children;
  if (user === undefined || system === undefined) {
    throw new Error(`unexpected output of bash's times: ${done.stdout.trim()}`);
  }
  return (timesFieldMs(user) + timesFieldMs(system)) / CALIBRATION_RUNS;
}

/** The worker's and the supervisors' CPU per agent launch, the agent's own taken out. */
export function cpuPerLaunch(
  figures: ProcessFigures,
  launches: number,
  agentOwn: { readonly ms: number; readonly measured: CpuPerLaunch['agentOwnMeasured'] },
): CpuPerLaunch {
  const agentOwnMs = agentOwn.ms;
  const per = (seconds: number): number => round((seconds * 1000) / Math.max(1, launches), 2);
  const workerMs = per(figures.workerCpuSeconds);
  const supervisorsMs = round(per(figures.agentsCpuSeconds) - agentOwnMs, 2);
  return {
    launches,
    agentOwnMs: round(agentOwnMs, 2),
    agentOwnMeasured: agentOwn.measured,
    workerMs,
    supervisorsMs,
    coordinatorMs: round(workerMs + supervisorsMs, 2),
  };
}
