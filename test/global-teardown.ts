/**
 * Stops the shared Temporal dev server that global-setup.ts started, then removes the run's
 * temporary folder; returns once both are gone.
 */
import type { DevServer } from '../src/dev/dev-server';
import { TEST_SERVER_GLOBAL } from './helpers/test-server-env';
import { removeRunTmpdir } from './helpers/test-tmpdir';

export default async function globalTeardown(): Promise<void> {
  const slot = globalThis as Record<symbol, DevServer | undefined>;
  const server = slot[TEST_SERVER_GLOBAL];
  slot[TEST_SERVER_GLOBAL] = undefined;
  await server?.stop();
  removeRunTmpdir();
}
