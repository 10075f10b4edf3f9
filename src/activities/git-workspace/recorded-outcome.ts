/**
 * What a git attempt ended with, kept beside its evidence copy as `attempt-<n>.json`. A success is
 * written before the unit's ref is set, so an activity retried after that (its worker died before
 * answering) finds the ref set and answers from this file, without the removed working tree and
 * without running or committing anything again.
 */

import path from 'node:path';
import type { AttemptSuccess } from '../types';
import { readFileNoFollow, writeFileAtomically } from '../containment/safe-write';

export type RecordedOutcome =
  | { readonly outcome: 'succeeded'; readonly success: AttemptSuccess }
  | { readonly outcome: 'failed'; readonly type: string; readonly error: string };

interface OutcomeFile {
  readonly version: 1;
  readonly attempt: number;
  readonly recorded: RecordedOutcome;
}

export function outcomePath(evidenceRoot: string, attempt: number): string {
  return path.join(evidenceRoot, `attempt-${attempt}.json`);
}

export async function writeOutcome(
  source: string,
  evidenceRoot: string,
  attempt: number,
  recorded: RecordedOutcome,
): Promise<void> {
  const file: OutcomeFile = { version: 1, attempt, recorded };
  await writeFileAtomically(source, outcomePath(evidenceRoot, attempt), `${JSON.stringify(file, null, 2)}\n`);
}

/** The success recorded for `attempt`, or null when there is none (or the file is not ours). */
export async function readRecordedSuccess(
  evidenceRoot: string,
  attempt: number,
): Promise<AttemptSuccess | null> {
  let text: string;
  try {
    text = (await readFileNoFollow(outcomePath(evidenceRoot, attempt))).toString('utf8');
  } catch {
    return null;
  }
  try {
    const file = JSON.parse(text) as Partial<OutcomeFile>;
    if (file.version !== 1 || file.attempt !== attempt || file.recorded?.outcome !== 'succeeded') return null;
    return file.recorded.success;
  } catch {
    return null;
  }
}
