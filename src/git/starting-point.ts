/** A unit's starting point (SPEC §9): the base merged with the outputs it builds on. */

import type { CommitIdentity, StartingInput } from '../contracts/git';
import { mergeCommits } from './merge';
import { git } from './run-git';

export type StartingPointAnswer =
  | { readonly kind: 'ok'; readonly sha: string }
  | { readonly kind: 'conflict'; readonly units: readonly string[]; readonly paths: readonly string[] };

/**
 * Merges each input into the base in unit_id order. An input already contained is skipped, a
 * fast-forward is taken when one side contains the other, and a merge commit carries the run's
 * identity, so the same inputs give the same SHA. On a conflict: the conflicted paths and the
 * units being merged (the one that conflicts, and those merged before it that touch those paths).
 */
export async function startingPoint(
  source: string,
  base: string,
  merges: readonly StartingInput[],
  identity: CommitIdentity,
): Promise<StartingPointAnswer> {
  const ordered = [...merges].sort((a, b) => (a.unitId < b.unitId ? -1 : a.unitId > b.unitId ? 1 : 0));
  let current = base;
  const merged: StartingInput[] = [];
  for (const input of ordered) {
    const answer = await mergeCommits(source, current, input.sha, identity, startMessage(input));
    if (answer.kind === 'conflict') {
      const touching = await unitsTouching(source, base, merged, answer.paths);
      return { kind: 'conflict', units: [...touching, input.unitId], paths: answer.paths };
    }
    current = answer.sha;
    merged.push(input);
  }
  return { kind: 'ok', sha: current };
}

function startMessage(input: StartingInput): string {
  return `Merge ${input.unitId} (${input.sha.slice(0, 12)}) into a starting point`;
}

/** Of the inputs merged so far, those that changed one of `paths` since the base (all if none did). */
async function unitsTouching(
  source: string,
  base: string,
  merged: readonly StartingInput[],
  paths: readonly string[],
): Promise<string[]> {
  const touching: string[] = [];
  for (const input of merged) {
    const changed = await git(
      ['diff', '--name-only', '--no-renames', base, input.sha, '--', ...paths.map((p) => `:(literal)${p}`)],
      { cwd: source },
    );
    if (changed !== '') touching.push(input.unitId);
  }
  return touching.length > 0 ? touching : merged.map((input) => input.unitId);
}
