/**
 * The dependency graph as Mermaid or Graphviz DOT, units grouped by predicted wave (see
 * `predictWaves`), each edge drawn from a dependency to the unit that waits for it.
 */
import { predictedStartingInputs } from './starting-inputs';
import type { Plan } from './types';

export type GraphFormat = 'mermaid' | 'dot';

export const GRAPH_FORMATS: readonly GraphFormat[] = ['mermaid', 'dot'];

const LABEL_LIMIT = 48;

export function renderGraph(plan: Plan, waves: readonly (readonly string[])[], format: GraphFormat): string {
  return format === 'mermaid' ? renderMermaid(plan, waves) : renderDot(plan, waves);
}

export function renderMermaid(plan: Plan, waves: readonly (readonly string[])[]): string {
  const nodeId = nodeIds(plan);
  const summary = summaries(plan);
  const lines = [`%% ${caption(plan, waves).replace(/\s+/g, ' ')}`, 'flowchart LR'];
  if (plan.workUnits.length === 0) lines.push('  empty["no work units"]');
  waves.forEach((wave, index) => {
    lines.push(`  subgraph wave${index + 1}["Wave ${index + 1}"]`, '    direction TB');
    for (const unitId of wave) {
      const label = [unitId, ...summary(unitId).split('\n')].filter(Boolean).map(mermaidText).join('<br/>');
      lines.push(`    ${nodeId(unitId)}["${label}"]`);
    }
    lines.push('  end');
  });
  for (const [dependency, unitId] of edges(plan)) lines.push(`  ${nodeId(dependency)} --> ${nodeId(unitId)}`);
  return `${lines.join('\n')}\n`;
}

export function renderDot(plan: Plan, waves: readonly (readonly string[])[]): string {
  const summary = summaries(plan);
  const lines = [
    `digraph ${dotString(plan.name)} {`,
    `  graph [rankdir=LR, newrank=true, fontname="Helvetica", labelloc=t, label=${dotString(caption(plan, waves))}];`,
    '  node [shape=box, style="rounded,filled", fillcolor="#f5f7ff", fontname="Helvetica"];',
    '  edge [color="#555555"];',
  ];
  waves.forEach((wave, index) => {
    lines.push(
      `  subgraph cluster_wave_${index + 1} {`,
      `    label="Wave ${index + 1}"; style=dashed; color="#999999";`,
    );
    for (const unitId of wave) {
      const label = [unitId, summary(unitId)].filter(Boolean).join('\n');
      lines.push(`    ${dotString(unitId)} [label=${dotString(label)}];`);
    }
    lines.push('  }');
  });
  for (const [dependency, unitId] of edges(plan))
    lines.push(`  ${dotString(dependency)} -> ${dotString(unitId)};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function caption(plan: Plan, waves: readonly (readonly string[])[]): string {
  const units = plan.workUnits.length;
  return `Plan ${plan.name}: ${units} unit${units === 1 ? '' : 's'}, ${waves.length} predicted wave${waves.length === 1 ? '' : 's'} (equal unit durations, max_workers ${plan.maxWorkers})`;
}

/** Mermaid ids must be plain words; unit ids may start with `-` or a digit, so number them. */
function nodeIds(plan: Plan): (unitId: string) => string {
  const ids = new Map(plan.workUnits.map((unit, index) => [unit.unitId, `u${index}`]));
  return (unitId) => ids.get(unitId) ?? 'unknown';
}

function edges(plan: Plan): [string, string][] {
  return plan.workUnits.flatMap((unit) =>
    [...new Set(unit.dependencies)].map((dependency): [string, string] => [dependency, unit.unitId]),
  );
}

/**
 * Each unit's description, first line only, shortened for a node label; in a git plan (SPEC §9)
 * followed by what its starting point is predicted to merge.
 */
function summaries(plan: Plan): (unitId: string) => string {
  const byId = new Map(plan.workUnits.map((unit) => [unit.unitId, unit.description]));
  const startsFrom = plan.workspace === 'git' ? predictedStartingInputs(plan) : undefined;
  return (unitId) => {
    const firstLine = (byId.get(unitId) ?? '').trim().split('\n')[0]?.trim() ?? '';
    const summary = firstLine.length > LABEL_LIMIT ? `${firstLine.slice(0, LABEL_LIMIT - 1)}…` : firstLine;
    if (startsFrom === undefined) return summary;
    const from = startingPointText(startsFrom[unitId] ?? []);
    return summary === '' ? `from ${from}` : `${summary}\nfrom ${from}`;
  };
}

/** `base`, or `base + a, b`: what a git unit's starting point merges, cut for a label. */
export function startingPointText(merges: readonly string[]): string {
  if (merges.length === 0) return 'base';
  const text = `base + ${merges.join(', ')}`;
  return text.length > LABEL_LIMIT ? `base + ${merges.length} units` : text;
}

/** Mermaid entity codes for the characters that would end or confuse a quoted label. */
function mermaidText(text: string): string {
  return text.replace(/[#"<>]/g, (character) => `#${character.charCodeAt(0)};`);
}

function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
