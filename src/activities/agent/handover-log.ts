/**
 * Where a prefetching run's slots went, so each is handed over once: one JSON line per handover,
 * appended to `<repo>/.agent/runs/<workflow id>/slot-handovers.jsonl` before the unit it went to
 * starts. A later try of an attempt whose worker died before its result reached the server finds
 * its line there and names the same unit instead of handing a second slot over.
 *
 * One file per run, not one per handover: a new file costs up to half a millisecond of kernel CPU
 * on some disks (docs/performance.md), and appending to an existing one creates nothing.
 */

import path from 'node:path';
import { runFolder } from '../run-files/run-store';
import { appendFileNoFollow, readFileNoFollow } from '../containment/safe-write';
import { sameOwner, type AttemptOwner } from './attempt-record';
import type { Handover } from './slot-handover';

const HANDOVER_LOG_FILE = 'slot-handovers.jsonl';

interface HandoverLine extends Handover {
  readonly owner: AttemptOwner;
}

/** The run's handover log; its name has a dot, which no unit id has (SPEC §1), so no unit's folder takes it. */
export function handoverLogPath(repo: string, owner: AttemptOwner): string {
  return path.join(runFolder(repo, owner.workflowId), HANDOVER_LOG_FILE);
}

/** Appends the handover of `owner`'s slot; one small write, never through a link. */
export async function recordHandover(repo: string, owner: AttemptOwner, handover: Handover): Promise<void> {
  const line: HandoverLine = { owner, unitId: handover.unitId, inTicketOrder: handover.inTicketOrder };
  await appendFileNoFollow(repo, handoverLogPath(repo, owner), `${JSON.stringify(line)}\n`);
}

/** The handover `owner`'s slot had already, if any; a line cut short by a crash is skipped. */
export async function recordedHandover(repo: string, owner: AttemptOwner): Promise<Handover | undefined> {
  let text: string;
  try {
    text = (await readFileNoFollow(handoverLogPath(repo, owner))).toString('utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n').reverse()) {
    const found = parsed(line);
    if (found !== undefined && sameOwner(found.owner, owner)) {
      return { unitId: found.unitId, inTicketOrder: found.inTicketOrder };
    }
  }
  return undefined;
}

function parsed(line: string): HandoverLine | undefined {
  if (line === '') return undefined;
  try {
    const value = JSON.parse(line) as Partial<HandoverLine>;
    const owner = value.owner;
    if (typeof value.unitId !== 'string' || typeof owner !== 'object' || owner === null) return undefined;
    return { owner, unitId: value.unitId, inTicketOrder: value.inTicketOrder === true };
  } catch {
    return undefined;
  }
}
