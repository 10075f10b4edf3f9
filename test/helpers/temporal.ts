/**
 * Connections to the shared Temporal dev server that test/global-setup.ts starts. Every helper
 * fails loudly when the server's variables are unset, i.e. when the run was started with
 * FANOUT_TEST_NO_SERVER=1 or without the global setup.
 *
 * Importing this file also sets the SDK's log level for the test file (worker and core logs at
 * FANOUT_TEST_LOG_LEVEL, default ERROR: expected agent failures are logged at WARN), so a passing run is not buried in worker state changes.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { TEST_SERVER_ENV } from './test-server-env';
import { LARGE_HISTORY_CHANNEL_ARGS } from '../../src/client/fanout-client';

installTestRuntime();

export interface TestServer {
  readonly address: string;
  readonly uiUrl: string;
  readonly namespace: string;
}

/** The shared server's address, UI and namespace. Throws when the run has no server. */
export function testServer(): TestServer {
  const value = (name: string): string => {
    const found = process.env[name];
    if (found === undefined || found === '') {
      throw new Error(
        `${name} is not set, but this test needs the shared Temporal dev server from test/global-setup.ts. ` +
          'Run it without FANOUT_TEST_NO_SERVER=1; if the setup cannot find a Temporal CLI, run `npm run provision`.',
      );
    }
    return found;
  };
  return {
    address: value(TEST_SERVER_ENV.address),
    uiUrl: value(TEST_SERVER_ENV.uiUrl),
    namespace: value(TEST_SERVER_ENV.namespace),
  };
}

/** A client-side connection to the shared server. The caller closes it. */
export async function testConnection(): Promise<Connection> {
  return Connection.connect({ address: testServer().address, channelArgs: LARGE_HISTORY_CHANNEL_ARGS });
}

/** A connection for `Worker.create`. The caller closes it after the worker has shut down. */
export async function testNativeConnection(): Promise<NativeConnection> {
  return NativeConnection.connect({ address: testServer().address });
}

/** A client on the shared server's namespace. The caller closes `client.connection`. */
export async function testClient(): Promise<Client> {
  return new Client({ connection: await testConnection(), namespace: testServer().namespace });
}

/**
 * A task queue of the current test's own, named after its title so the Web UI shows which test
 * ran what, and unique so parallel files and re-runs never share pollers.
 */
export function testTaskQueue(): string {
  const title = expect.getState().currentTestName ?? 'test';
  const slug = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
  return `${slug}-${randomUUID().slice(0, 8)}`;
}

function installTestRuntime(): void {
  const level = (process.env.FANOUT_TEST_LOG_LEVEL ?? 'ERROR') as LogLevel;
  try {
    Runtime.install({
      logger: new DefaultLogger(level),
      telemetryOptions: { logging: { filter: { core: level, other: level }, console: {} } },
    });
  } catch {
    // Already installed for this test file: the first settings stay.
  }
}
