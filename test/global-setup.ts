/**
 * Starts the one Temporal dev server that every test file shares, and hands its address to the
 * test workers through environment variables (workers inherit this process's environment).
 * Fails, never skips, when no Temporal CLI can be found; the message says how to get one.
 * FANOUT_TEST_NO_SERVER=1 runs without it. Also gives the run its own temporary folder
 * (helpers/test-tmpdir.ts).
 */
import { startDevServer, type DevServer } from '../src/dev/dev-server';
import { findTemporalCli } from '../src/dev/find-temporal-cli';
import { TEST_SERVER_ENV, TEST_SERVER_GLOBAL } from './helpers/test-server-env';
import { useRunTmpdir } from './helpers/test-tmpdir';

export default async function globalSetup(): Promise<void> {
  useRunTmpdir();
  if (process.env.FANOUT_TEST_NO_SERVER === '1') return;
  const cli = findTemporalCli();
  if (!cli.found) {
    throw new Error(
      `The tests need a Temporal dev server. ${cli.message}\n` +
        'To run only the tests that need no server: FANOUT_TEST_NO_SERVER=1 npm test',
    );
  }
  const server = await startDevServer({ cliPath: cli.path });
  (globalThis as Record<symbol, DevServer | undefined>)[TEST_SERVER_GLOBAL] = server;
  process.env[TEST_SERVER_ENV.address] = server.address;
  process.env[TEST_SERVER_ENV.uiUrl] = server.uiUrl;
  process.env[TEST_SERVER_ENV.namespace] = server.namespace;
}
