/**
 * The shared dev server from test/global-setup.ts, end to end: a real Worker runs a workflow that
 * calls an activity, and the recorded history replays against the same code and fails against an
 * incompatible change.
 */
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { testClient, testNativeConnection, testServer, testTaskQueue } from '../helpers/temporal';
import { smokeEchoWorkflow, type SmokeEchoActivities } from '../workflows/smoke-echo';

const workflowsPath = require.resolve('../workflows/smoke-echo');
const changedWorkflowsPath = require.resolve('../workflows/smoke-echo-changed');

const activities: SmokeEchoActivities = {
  echo: (text) => Promise.resolve(`echo: ${text}`),
};

describe('the shared Temporal dev server', () => {
  let client: Client;
  let connection: NativeConnection;

  beforeAll(async () => {
    client = await testClient();
    connection = await testNativeConnection();
  });

  afterAll(async () => {
    await connection?.close();
    await client?.connection.close();
  });

  describe('smokeEchoWorkflow on a real worker', () => {
    let workflowId: string;
    let result: string;
    let history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;

    beforeAll(async () => {
      const taskQueue = testTaskQueue();
      workflowId = `smoke-echo-${randomUUID()}`;
      const worker = await Worker.create({
        connection,
        namespace: testServer().namespace,
        taskQueue,
        workflowsPath,
        activities,
      });
      result = await worker.runUntil(
        client.workflow.execute(smokeEchoWorkflow, { taskQueue, workflowId, args: [{ text: 'hello' }] }),
      );
      history = await client.workflow.getHandle(workflowId).fetchHistory();
    });

    it("returns the activity's answer", () => {
      expect(result).toBe('echo: hello');
    });

    it('replays its recorded history without non-determinism', async () => {
      await expect(Worker.runReplayHistory({ workflowsPath }, history, workflowId)).resolves.toBeUndefined();
    });

    it('reports non-determinism when the history meets an incompatible change', async () => {
      await expect(
        Worker.runReplayHistory({ workflowsPath: changedWorkflowsPath }, history, workflowId),
      ).rejects.toBeInstanceOf(DeterminismViolationError);
    });
  });

  it('serves the Web UI on its own port', async () => {
    const response = await fetch(testServer().uiUrl);
    expect(response.status).toBe(200);
  });
});
