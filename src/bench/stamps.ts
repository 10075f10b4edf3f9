/** The stamps the fake agent writes around its own work, so a shape can tell launch from work. */

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
