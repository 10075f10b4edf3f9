/** What the floor's stamps say: a chain's link latencies, a wide run's makespan against its ideal. */
import type { LaunchStamps } from './floor-activities';

/** ms from one process's exit seen to the next one's spawn, for each link of a chain. */
export function chainLinksMs(stamps: readonly LaunchStamps[]): number[] {
  const links: number[] = [];
  for (let i = 1; i < stamps.length; i += 1) {
    const previous = stamps[i - 1] as LaunchStamps;
    links.push((stamps[i] as LaunchStamps).spawnedAt - previous.exitedAt);
  }
  return links;
}

export interface WideFigures {
  readonly makespanMs: number;
  /** The same processes' durations on `width` slots, each started the moment one frees. */
  readonly idealMs: number;
  readonly ratio: number;
}

export function wideFigures(stamps: readonly LaunchStamps[], width: number): WideFigures {
  if (stamps.length === 0) throw new Error('no stamps');
  const first = Math.min(...stamps.map((stamp) => stamp.spawnedAt));
  const last = Math.max(...stamps.map((stamp) => stamp.exitedAt));
  const slots = new Array<number>(Math.min(width, stamps.length)).fill(0);
  for (const stamp of [...stamps].sort((a, b) => a.spawnedAt - b.spawnedAt)) {
    let earliest = 0;
    for (let slot = 1; slot < slots.length; slot += 1) {
      if ((slots[slot] as number) < (slots[earliest] as number)) earliest = slot;
    }
    slots[earliest] = (slots[earliest] as number) + (stamp.exitedAt - stamp.spawnedAt);
  }
  const idealMs = Math.max(...slots);
  const makespanMs = last - first;
  return { makespanMs, idealMs, ratio: makespanMs / idealMs };
}
