/** The one-screen summary `agent-fanout validate` prints for an accepted plan. */
import { criticalPath, dependencyCount, predictWaves } from '../../plan/graph';
import { predictedStartingInputs } from '../../plan/starting-inputs';
import type { Plan, WorkspaceMode } from '../../plan/types';

const WAVES_SHOWN = 10;
const WAVE_LINE_WIDTH = 90;

export interface PlanSummaryInput {
  readonly plan: Plan;
  /** The plan path as given, for the next command. */
  readonly path: string;
  /** `--max-workers`, when given. */
  readonly maxWorkers?: number;
  /** `--agent-command`, when given, repeated in the next command. */
  readonly agentCommand?: readonly string[];
  /** `--workspace`, when given, repeated in the next command. */
  readonly workspaceFlag?: WorkspaceMode;
}

export function formatPlanSummary(input: PlanSummaryInput): string {
  const { plan } = input;
  const maxWorkers = input.maxWorkers ?? plan.maxWorkers;
  const waves = predictWaves(plan, maxWorkers);
  const path = criticalPath(plan);
  const units = plan.workUnits.length;
  const lines = [
    `Plan '${plan.name}' is valid.`,
    row('units', String(units)),
    row('dependencies', String(dependencyCount(plan))),
    row(
      'max_workers',
      input.maxWorkers === undefined
        ? String(maxWorkers)
        : `${maxWorkers} (--max-workers; the plan says ${plan.maxWorkers})`,
    ),
    row('on_failure', plan.onFailure),
    row('overlap', plan.overlap),
    ...(plan.workspace === 'git' ? gitRows({ ...plan, maxWorkers }) : []),
    row('critical path', `${plural(path.length, 'unit')}${path.length > 0 ? `: ${chain(path)}` : ''}`),
    row(
      'predicted waves',
      units === 0 ? '0 (nothing to run)' : `${waves.length} (a prediction: every unit taking the same time)`,
    ),
    ...waves
      .slice(0, WAVES_SHOWN)
      .map((wave, index) => `    wave ${index + 1}: ${listWithin(wave, WAVE_LINE_WIDTH)}`),
    ...(waves.length > WAVES_SHOWN
      ? [`    … ${plural(waves.length - WAVES_SHOWN, 'more wave')}; agent-fanout graph shows all`]
      : []),
    `Next: ${nextCommand(input)}`,
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * A git plan (SPEC §9): what each unit's starting point is predicted to merge besides the base
 * (its dependencies, and overlapping units launched before it), one line per unit that merges any.
 */
function gitRows(plan: Plan): string[] {
  const predicted = predictedStartingInputs(plan);
  const merging = plan.workUnits.filter((unit) => (predicted[unit.unitId] ?? []).length > 0);
  return [
    row('workspace', 'git: a working tree per unit from its starting point; the run ends as a branch'),
    row(
      'starting points',
      merging.length === 0
        ? 'every unit starts from the base'
        : `the base, merged with (a prediction; others start from the base):`,
    ),
    ...merging
      .slice(0, WAVES_SHOWN)
      .map((unit) => `    ${unit.unitId}: ${listWithin(predicted[unit.unitId] ?? [], WAVE_LINE_WIDTH)}`),
    ...(merging.length > WAVES_SHOWN
      ? [`    … ${plural(merging.length - WAVES_SHOWN, 'more unit')}; agent-fanout graph shows all`]
      : []),
  ];
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(16)} ${value}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `a -> b -> c`, with the middle of a long chain left out. */
function chain(unitIds: readonly string[]): string {
  const shown = unitIds.length > 8 ? [...unitIds.slice(0, 3), '…', ...unitIds.slice(-3)] : unitIds;
  return shown.join(' -> ');
}

/** Ids joined with commas, cut to `width` characters with a count of the rest. */
function listWithin(unitIds: readonly string[], width: number): string {
  let text = '';
  for (const [index, unitId] of unitIds.entries()) {
    const next = index === 0 ? unitId : `${text}, ${unitId}`;
    if (next.length > width && index > 0) return `${text}, … (+${unitIds.length - index} more)`;
    text = next;
  }
  return text;
}

function nextCommand(input: PlanSummaryInput): string {
  const parts = ['agent-fanout run', shellWord(input.path)];
  if (input.workspaceFlag !== undefined) parts.push('--workspace', input.workspaceFlag);
  if (input.agentCommand) parts.push('--agent-command', shellWord(JSON.stringify(input.agentCommand)));
  return parts.join(' ');
}

/** A word as a POSIX shell reads it back: quoted unless it is plainly safe. */
export function shellWord(text: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
