import { ActivityCancellationDetails, CancelledFailure } from '@temporalio/common';
import {
  agentOutlivesCancellation,
  cancellationLeavesAgentRunning,
} from '../../../src/activities/agent/cancellation';
import type { RunExecution } from '../../../src/activities/agent/run-open';

function cancelled(reason: string, details?: ConstructorParameters<typeof ActivityCancellationDetails>[0]) {
  const controller = new AbortController();
  controller.abort(new CancelledFailure(reason));
  return {
    cancellationSignal: controller.signal,
    cancellationDetails: details === undefined ? undefined : new ActivityCancellationDetails(details),
  };
}

describe('cancellationLeavesAgentRunning', () => {
  it.each([
    ['CANCELLED', 'stops', { cancelRequested: true }],
    ['RESET', 'stops', { reset: true }],
    ['WORKER_SHUTDOWN', 'leaves', { workerShutdown: true }],
    ['TIMED_OUT', 'leaves', { timedOut: true }],
    ['NOT_FOUND', 'leaves', { notFound: true }],
    ['PAUSED', 'leaves', { paused: true }],
  ] as const)('on %s it %s the agent', (reason, verdict, details) => {
    expect(cancellationLeavesAgentRunning(cancelled(reason, details))).toBe(verdict === 'leaves');
  });

  it('goes by the reason when the SDK gives no details', () => {
    expect(cancellationLeavesAgentRunning(cancelled('WORKER_SHUTDOWN'))).toBe(true);
    expect(cancellationLeavesAgentRunning(cancelled('CANCELLED'))).toBe(false);
  });

  it('stops the agent for a reason it does not know', () => {
    expect(cancellationLeavesAgentRunning(cancelled('SOMETHING_NEW', {}))).toBe(false);
  });

  it('stops the agent when the workflow asked, even while the worker shuts down', () => {
    expect(
      cancellationLeavesAgentRunning(
        cancelled('WORKER_SHUTDOWN', { workerShutdown: true, cancelRequested: true }),
      ),
    ).toBe(false);
  });
});

describe('agentOutlivesCancellation', () => {
  const execution = { workflowId: 'w', runId: 'r' };
  function inRun(reason: string, details: ConstructorParameters<typeof ActivityCancellationDetails>[0]) {
    return { ...cancelled(reason, details), info: { workflowExecution: execution } };
  }
  function probe(answer: boolean | undefined) {
    const asked: RunExecution[] = [];
    return { asked, isRunOpen: (run: RunExecution) => (asked.push(run), Promise.resolve(answer)) };
  }

  it.each([
    ['NOT_FOUND', { notFound: true }],
    ['TIMED_OUT', { timedOut: true }],
  ] as const)(
    'on %s stops the agent of a closed run, after asking about that run',
    async (reason, details) => {
      const { asked, isRunOpen } = probe(false);
      expect(await agentOutlivesCancellation(inRun(reason, details), isRunOpen)).toBe(false);
      expect(asked).toEqual([execution]);
    },
  );

  it('on NOT_FOUND leaves the agent of an open run, or of a run the server could not tell about', async () => {
    expect(
      await agentOutlivesCancellation(inRun('NOT_FOUND', { notFound: true }), probe(true).isRunOpen),
    ).toBe(true);
    expect(
      await agentOutlivesCancellation(inRun('NOT_FOUND', { notFound: true }), probe(undefined).isRunOpen),
    ).toBe(true);
  });

  it('does not ask on a worker shutdown, a pause or a cancel request', async () => {
    const { asked, isRunOpen } = probe(false);
    expect(
      await agentOutlivesCancellation(inRun('WORKER_SHUTDOWN', { workerShutdown: true }), isRunOpen),
    ).toBe(true);
    expect(await agentOutlivesCancellation(inRun('PAUSED', { paused: true }), isRunOpen)).toBe(true);
    expect(await agentOutlivesCancellation(inRun('CANCELLED', { cancelRequested: true }), isRunOpen)).toBe(
      false,
    );
    expect(asked).toEqual([]);
  });
});
