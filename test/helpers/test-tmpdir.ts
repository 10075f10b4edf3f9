/**
 * Every jest run gets a temporary folder of its own, `$TMPDIR/agent-fanout-tests-XXXXXX`, set as
 * TMPDIR for the test workers and every process they start, and removed when the run ends. The
 * tests make thousands of repos and plans there; left in /tmp they pile up from run to run, and
 * each is one more entry Landlock needs a rule for beside every confined agent's repo (SPEC §8.1).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const RUN_TMPDIR_ENV = 'FANOUT_TEST_RUN_TMPDIR';

/** Makes this run's folder and points TMPDIR at it (the workers inherit the environment). */
export function useRunTmpdir(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'agent-fanout-tests-'));
  process.env[RUN_TMPDIR_ENV] = folder;
  process.env.TMPDIR = folder;
  return folder;
}

/** Removes this run's folder; what a test left running there is its own bug, reported elsewhere. */
export function removeRunTmpdir(): void {
  const folder = process.env[RUN_TMPDIR_ENV];
  if (folder === undefined) return;
  rmSync(folder, { recursive: true, force: true, maxRetries: 3 });
}
