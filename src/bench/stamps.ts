/** The stamps the fake agent writes around its own work, so a shape can tell launch from work. */

import path from 'node:path';
import { readTextOrEmpty } from './env';
import { stampFileOf } from './shapes';

/** An agent's own first and last action, from the stamp file (`<unit> attempt=<n> start|end <ms>`). */
export interface AgentStamps {
  startMs?: number;
  endMs?: number;
}

export function parseStamps(text: string): Map<string, AgentStamps> {
  const stamps = new Map<string, AgentStamps>();
  for (const line of text.split('\n')) {
    const match = /^(\S+) attempt=\d+ (start|end) (\d+)$/.exec(line.trim());
    if (match === null) continue;
    const [, unitId, label, at] = match as unknown as [string, string, string, string];
    const entry = stamps.get(unitId) ?? {};
    if (label === 'start') entry.startMs = Number(at);
    else entry.endMs = Number(at);
    stamps.set(unitId, entry);
  }
  return stamps;
}

/** The stamps of `unitIds`, each read from the unit's own stamp file (missing files: no stamps). */
export function readStamps(repo: string, unitIds: readonly string[]): Map<string, AgentStamps> {
  return parseStamps(
    unitIds.map((unitId) => readTextOrEmpty(path.join(repo, stampFileOf(unitId)))).join('\n'),
  );
}
