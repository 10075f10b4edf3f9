/**
 * A test hook for the crash a git attempt must survive (SPEC §9 "Refs", issue 15): a worker that
 * dies after its agent succeeded and before the unit's ref moved. With
 * `FANOUT_TEST_PAUSE_BEFORE_REF=<dir>` in the worker's environment, the first try of an attempt
 * writes `<dir>/<unit_id>-<attempt>` (holding the worker's pid) just before it sets the ref and
 * waits there: a test kills the worker, or removes the file, which ends the try as a worker death
 * would (a retryable failure, the working tree kept). Retries of the activity never pause.
 */

import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export const PAUSE_BEFORE_REF_VARIABLE = 'FANOUT_TEST_PAUSE_BEFORE_REF';

const POLL_MS = 100;

export interface PauseQuery {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The activity's own try (Temporal's), not the agent attempt. */
  readonly activityTry: number;
  readonly unitId: string;
  readonly attempt: number;
}

export async function pauseBeforeRefForTests(query: PauseQuery): Promise<void> {
  const dir = query.env[PAUSE_BEFORE_REF_VARIABLE];
  if (dir === undefined || dir === '' || query.activityTry > 1) return;
  const marker = path.join(dir, `${query.unitId}-${query.attempt}`);
  await writeFile(marker, `${process.pid}\n`);
  while (
    await access(marker).then(
      () => true,
      () => false,
    )
  )
    await delay(POLL_MS);
  throw new Error(
    `${PAUSE_BEFORE_REF_VARIABLE}: ${marker} was removed; this try ends as if its worker had died`,
  );
}
