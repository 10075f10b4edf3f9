/**
 * The prebuilt workflow bundle captures no stack frames in workflow code (src/workflows/short-stacks.ts,
 * preloaded before the SDK freezes the sandbox): the SDK's promise hook then costs little. What shows
 * it from outside: a failed workflow task reports its error without a stack. `npm test` builds the
 * bundle first (pretest).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startFanoutWorker, type RunningWorker } from '../../src/worker/create-worker';
import { uniqueTaskQueue } from '../helpers/fanout-worker';
import { testClient, testServer } from '../helpers/temporal';
import { PROJECT_ROOT } from '../helpers/scenario-runner';

const BUNDLE = path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');
const taskQueue = uniqueTaskQueue('short-stacks');
let worker: RunningWorker | undefined;
let client: Client | undefined;

beforeAll(async () => {
  if (!existsSync(BUNDLE))
    throw new Error(`${BUNDLE} is missing: run \`npm run build\` (npm test does it first)`);
  const server = testServer();
  worker = await startFanoutWorker({
    address: server.address,
    namespace: server.namespace,
    taskQueue,
    maxConcurrentAgents: 4,
    workflowBundlePath: BUNDLE,
  });
  client = await testClient();
}, 120_000);

afterAll(async () => {
  await worker?.shutdown();
  await client?.connection.close();
});

type Failure = { message?: string | null; stackTrace?: string | null } | null | undefined;

it('reports a failing workflow task with its message and no stack frames', async () => {
  if (client === undefined) throw new Error('no client');
  // No plan: the workflow's first task throws a TypeError in workflow code.
  const handle = await client.workflow.start('fanoutWorkflow', {
    taskQueue,
    workflowId: `short-stacks-${Date.now().toString(36)}`,
    args: [{ repo: mkdtempSync(path.join(os.tmpdir(), 'fanout-short-stacks-')) }],
  });
  try {
    const deadline = Date.now() + 30_000;
    let failure: Failure;
    while (failure === undefined && Date.now() < deadline) {
      const { events } = await handle.fetchHistory();
      failure = events?.find((event) => event.workflowTaskFailedEventAttributes)
        ?.workflowTaskFailedEventAttributes?.failure;
      if (failure === undefined) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(failure?.message).toMatch(/Cannot read properties of undefined/);
    expect(failure?.stackTrace ?? '').not.toMatch(/^\s+at /m);
  } finally {
    await handle.terminate('test over');
  }
});
