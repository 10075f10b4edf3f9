/**
 * What a git attempt ended with, kept beside its evidence copy as `attempt-<n>.json`. A success is
 * written before the unit's ref is set, so an activity retried after that (its worker died before
 * answering) finds the ref set and answers from this file, without the removed working tree and
 * without running or committing anything again. A failure is written before the tree is removed,
 * so a retried try that finds no tree answers with it instead of starting the agent again.
 */

import path from 'node:path';
import type { AgentFailureDetails } from '../../errors';
import { sameOwner, type AttemptOwner } from '../agent/attempt-record';
import type { AttemptSuccess } from '../types';
import { readFileNoFollow, writeFileAtomically } from '../containment/safe-write';

export type RecordedOutcome =
  | { readonly outcome: 'succeeded'; readonly success: AttemptSuccess }
  | {
      readonly outcome: 'failed';
      readonly type: string;
      readonly error: string;
      /** An agent failure's details, as thrown. */
      readonly details?: AgentFailureDetails;
    };

interface OutcomeFile {
  readonly version: 1;
  readonly attempt: number;
  /** The activity that wrote it: a rerun under the same workflow id is another owner. */
  readonly owner: AttemptOwner;
  readonly recorded: RecordedOutcome;
}

export function outcomePath(evidenceRoot: string, attempt: number): string {
  return path.join(evidenceRoot, `attempt-${attempt}.json`);
}

export async function writeOutcome(
  source: string,
  evidenceRoot: string,
  attempt: number,
  owner: AttemptOwner,
  recorded: RecordedOutcome,
): Promise<void> {
  const file: OutcomeFile = { version: 1, attempt, owner, recorded };
  await writeFileAtomically(source, outcomePath(evidenceRoot, attempt), `${JSON.stringify(file, null, 2)}\n`);
}

/** What `attempt` of `owner` recorded, or null when nothing (or a file that is not its) is there. */
export async function readOutcome(
  evidenceRoot: string,
  attempt: number,
  owner: AttemptOwner,
): Promise<RecordedOutcome | null> {
  let text: string;
  try {
    text = (await readFileNoFollow(outcomePath(evidenceRoot, attempt))).toString('utf8');
  } catch {
    return null;
  }
  return parseOutcome(text, attempt, owner);
}

/** The recorded outcome in an `attempt-<n>.json` text (from disk or an evidence commit), if it is `owner`'s. */
export function parseOutcome(text: string, attempt: number, owner: AttemptOwner): RecordedOutcome | null {
  try {
    const file = JSON.parse(text) as Partial<OutcomeFile>;
    if (file.version !== 1 || file.attempt !== attempt || file.recorded === undefined) return null;
    if (file.owner === undefined || !sameOwner(file.owner, owner)) return null;
    return file.recorded;
  } catch {
    return null;
  }
}
