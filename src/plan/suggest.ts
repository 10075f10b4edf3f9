/**
 * "Did you mean …?" for a misspelt key or unit id: the closest candidate by edit distance
 * (insertions, deletions, substitutions and swaps of two neighbours each cost 1).
 */

/** Two names this close are taken for a typo of one another (SPEC §1: `max_worker`, `on_falure`). */
export const TYPO_DISTANCE = 2;

/** The candidate closest to `word` within `maxDistance`, the earliest listed on a tie. */
export function closestName(
  word: string,
  candidates: Iterable<string>,
  maxDistance = TYPO_DISTANCE,
): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const candidate of candidates) {
    if (candidate === word || Math.abs(candidate.length - word.length) >= bestDistance) continue;
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

export const didYouMean = (name: string): string => `did you mean '${name}'?`;

/** Optimal string alignment distance, over UTF-16 units (plan keys and unit ids are ASCII). */
export function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        distance = Math.min(distance, (beforePrevious[j - 2] ?? 0) + 1);
      current.push(distance);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}
