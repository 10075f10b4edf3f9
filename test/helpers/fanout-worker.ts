/**
 * A real agent-fanout worker for tests, connected to the shared dev server of the Jest run, on
 * a task queue of its own so test files never take each other's tasks.
 */
import { startFanoutWorker } from '../../src/worker/create-worker';
import type { RunningWorker } from '../../src/worker/create-worker';
import type { Client } from '@temporalio/client';
import { testClient, testServer } from './temporal';

export { testServer };

/** A task queue name unique to this test file and moment. */
export function uniqueTaskQueue(label: string): string {
  const slug = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 40);
  return `test-${slug}-${process.pid}-${Date.now().toString(36)}`;
}

export async function startTestWorker(taskQueue: string, maxConcurrentAgents = 64): Promise<RunningWorker> {
  const server = testServer();
  return startFanoutWorker({
    address: server.address,
    namespace: server.namespace,
    taskQueue,
    maxConcurrentAgents,
  });
}

export interface WorkerFixture {
  readonly taskQueue: string;
  /** A client on the shared server; valid inside tests (after beforeAll). */
  client(): Client;
}

/**
 * Registers beforeAll/afterAll hooks that start a worker on a task queue of this file's own and
 * a client, and stop both afterwards.
 */
export function useFanoutWorker(label: string): WorkerFixture {
  const taskQueue = uniqueTaskQueue(label);
  let worker: RunningWorker | undefined;
  let client: Client | undefined;
  beforeAll(async () => {
    worker = await startTestWorker(taskQueue);
    client = await testClient();
  }, 120_000);
  afterAll(async () => {
    await worker?.shutdown();
    await client?.connection.close();
  });
  return {
    taskQueue,
    client: () => {
      if (client === undefined) throw new Error('the worker fixture is used outside a test');
      return client;
    },
  };
}
