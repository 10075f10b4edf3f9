/**
 * A real agent-fanout worker for tests, connected to the shared dev server of the Jest run, on
 * a task queue of its own so test files never take each other's tasks.
 */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startFanoutWorker } from '../../src/worker/create-worker';
import type { RunningWorker } from '../../src/worker/create-worker';

export interface TestServer {
  readonly address: string;
  readonly namespace: string;
}

/** The dev server started by test/global-setup.ts; fails loudly when there is none. */
export function testServer(): TestServer {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (address === undefined || address === '') {
    throw new Error(
      'No Temporal test server: TEMPORAL_TEST_ADDRESS is unset. Run `npm test` without FANOUT_TEST_NO_SERVER=1; ' +
        'if the server cannot start, get the CLI with `npm run provision`.',
    );
  }
  return { address, namespace: process.env.TEMPORAL_TEST_NAMESPACE ?? 'default' };
}

/** A task queue name unique to this test file and moment. */
export function uniqueTaskQueue(label: string): string {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40);
  return `test-${slug}-${process.pid}-${Date.now().toString(36)}`;
}

let runtimeInstalled = false;

/** Worker logs at ERROR: state changes and expected agent failures would bury the test output. */
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed by an earlier worker of this process.
  }
}

export async function startTestWorker(taskQueue: string, maxConcurrentAgents = 64): Promise<RunningWorker> {
  quietRuntime();
  const server = testServer();
  return startFanoutWorker({
    address: server.address,
    namespace: server.namespace,
    taskQueue,
    maxConcurrentAgents,
    ...(process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE
      ? { workflowBundlePath: process.env.TEMPORAL_TEST_WORKFLOW_BUNDLE }
      : {}),
  });
}
