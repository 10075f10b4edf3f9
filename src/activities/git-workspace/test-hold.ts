/**
 * TEST-ONLY hook (issue 15 "Done when": a worker killed right after an agent succeeded but before
 * its ref moved). When FANOUT_TEST_HOLD_BEFORE_REF names a file, the attempt writes
 * `<file>.reached` at that point and waits while `<file>` exists, so a test can SIGKILL the worker
 * exactly there. Unset (always, outside tests) it returns at once. One call site, in the git
 * attempt, between the output commit and the compare-and-swap of the unit's ref.
 */
import { access, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

export const TEST_HOLD_ENV = 'FANOUT_TEST_HOLD_BEFORE_REF';

async function present(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Test-only: pauses before a unit's ref is set while the hold file exists; `beat` keeps the activity alive. */
export async function holdBeforeRefForTests(
  beat: () => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const hold = env[TEST_HOLD_ENV];
  if (hold === undefined || hold === '') return;
  await writeFile(`${hold}.reached`, `${process.pid}\n`);
  while (await present(hold)) {
    beat();
    await delay(100);
  }
}
