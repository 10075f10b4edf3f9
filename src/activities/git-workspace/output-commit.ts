/**
 * A successful git attempt's output (SPEC §9 "Output" and "Enforcement"): every change in its
 * working tree outside the namespace root and `agent.writable` as one commit on its starting
 * point, then the paths of that commit that lie outside the unit's allowed directories.
 */

import type { CommitIdentity } from '../../contracts/git';
import { normalizeDirectory } from '../../plan/overlap';
import type { AttemptInput } from '../types';
import { commitOutput, outsideChanges } from './git-plumbing';

export interface UnitOutput {
  readonly output: string;
  /** Sorted repo paths changed outside the allowed directories; empty when the unit kept to them. */
  readonly outside: readonly string[];
}

/** `<unit_id>: <first line of description>` and the three trailers. */
export function outputMessage(input: Pick<AttemptInput, 'runId' | 'unit' | 'attempt'>): string {
  const firstLine = input.unit.description.split('\n').find((line) => line.trim() !== '') ?? '';
  return (
    `${input.unit.unitId}: ${firstLine.trim()}\n\n` +
    `Fanout-Run: ${input.runId}\n` +
    `Fanout-Unit: ${input.unit.unitId}\n` +
    `Fanout-Attempt: ${input.attempt}\n`
  );
}

/** Commits the attempt's working tree on `start` (same input, same SHA) and checks its area. */
export async function commitUnitOutput(
  source: string,
  workingTree: string,
  start: string,
  input: AttemptInput,
  identity: CommitIdentity,
): Promise<UnitOutput> {
  const excluded = [input.namespaceRoot, ...(input.settings.writable ?? [])].map(normalizeDirectory);
  const output = await commitOutput(
    workingTree,
    start,
    { message: outputMessage(input), excluded },
    identity,
  );
  if (output === start) return { output, outside: [] };
  const allowed = input.unit.allowedDirectories.map(normalizeDirectory);
  return { output, outside: await outsideChanges(source, start, output, allowed) };
}
