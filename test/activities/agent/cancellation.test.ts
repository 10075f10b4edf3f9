import { ActivityCancellationDetails, CancelledFailure } from '@temporalio/common';
import { cancellationLeavesAgentRunning } from '../../../src/activities/agent/cancellation';

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
