/** The stamps the fake agent writes around its own work, so a shape can tell launch from work. */

import path from 'node:path';
import { readTextOrEmpty } from './env';
import { stampFileOf } from './agent-args';

/**
 * An agent's own first and last action (`<unit> attempt=<n> start|end <ms>`), and the CPU it used
 * from its process's start (`<unit> attempt=<n> cpu-times`, then the two lines of bash's `times`:
 * its own user and system time, then its children's), summed over its attempts.
 */
export interface AgentStamps {
  startMs?: number;
  endMs?: number;
  cpuMs?: number;
  /** How many of its attempts reported `cpuMs`. */
  cpuRuns?: number;
}

/** `0m1.234s` (bash's or sh's `times`) in ms. */
export function timesFieldMs(field: string): number {
  const match = /^(\d+)m([\d.]+)s$/.exec(field);
  if (match === null) throw new Error(`unexpected output of times: ${field}`);
  return (Number(match[1]) * 60 + Number(match[2])) * 1000;
}

/** The four fields of `times`' two lines, summed; undefined when the lines are not `times` output. */
function timesLinesMs(lines: readonly (string | undefined)[]): number | undefined {
  const fields = lines.flatMap((line) => (line ?? '').trim().split(/\s+/));
  if (fields.length !== 4 || !fields.every((field) => /^\d+m[\d.]+s$/.test(field))) return undefined;
  return fields.reduce((sum, field) => sum + timesFieldMs(field), 0);
}

export function parseStamps(text: string): Map<string, AgentStamps> {
  const stamps = new Map<string, AgentStamps>();
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const match = /^(\S+) attempt=\d+ (start|end|cpu-times)(?: (\d+))?$/.exec(line.trim());
    if (match === null) return;
    const [, unitId, label, at] = match as unknown as [string, string, string, string | undefined];
    const entry = stamps.get(unitId) ?? {};
    if (label === 'cpu-times') {
      const ms = timesLinesMs(lines.slice(index + 1, index + 3));
      if (ms !== undefined) {
        entry.cpuMs = (entry.cpuMs ?? 0) + ms;
        entry.cpuRuns = (entry.cpuRuns ?? 0) + 1;
      }
    } else if (at !== undefined) {
      if (label === 'start') entry.startMs = Number(at);
      else entry.endMs = Number(at);
    }
    stamps.set(unitId, entry);
  });
  return stamps;
}

/** The stamps of `unitIds`, each read from the unit's own stamp file (missing files: no stamps). */
export function readStamps(repo: string, unitIds: readonly string[]): Map<string, AgentStamps> {
  return parseStamps(
    unitIds.map((unitId) => readTextOrEmpty(path.join(repo, stampFileOf(unitId)))).join('\n'),
  );
}

/** The agents' own CPU per run, in ms, from their `cpu-times` stamps; undefined when none reported. */
export function agentCpuPerRunMs(stamps: ReadonlyMap<string, AgentStamps>): number | undefined {
  let ms = 0;
  let runs = 0;
  for (const entry of stamps.values()) {
    ms += entry.cpuMs ?? 0;
    runs += entry.cpuRuns ?? 0;
  }
  return runs === 0 ? undefined : ms / runs;
}
