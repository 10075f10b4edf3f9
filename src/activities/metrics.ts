/**
 * The project's own worker metrics, emitted through the SDK's metric meter so they come out of
 * the same Prometheus endpoint as the SDK's runtime metrics (`agent-fanout worker --metrics-port`).
 *
 * | metric                                   | kind      | meaning                                        |
 * |------------------------------------------|-----------|------------------------------------------------|
 * | agent_fanout_attempts_started            | counter   | agent attempts begun on this worker            |
 * | agent_fanout_attempts_succeeded          | counter   | attempts that ended with evidence              |
 * | agent_fanout_attempts_failed             | counter   | attempts that failed (tag `type`: SPEC §4.2 kind) |
 * | agent_fanout_attempts_adopted            | counter   | attempts that followed an agent left running by a lost worker |
 * | agent_fanout_attempt_duration_seconds    | histogram | wall time of one attempt                       |
 */
import type { MetricMeter } from '@temporalio/common';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';

export interface AttemptMetrics {
  started(): void;
  finished(outcome: { ok: true; adopted: boolean } | { ok: false; error: unknown }, seconds: number): void;
}

export function attemptMetrics(meter: MetricMeter): AttemptMetrics {
  const started = meter.createCounter('agent_fanout_attempts_started', 'attempts', 'Agent attempts begun');
  const succeeded = meter.createCounter(
    'agent_fanout_attempts_succeeded',
    'attempts',
    'Agent attempts that succeeded',
  );
  const failed = meter.createCounter(
    'agent_fanout_attempts_failed',
    'attempts',
    'Agent attempts that failed',
  );
  const adopted = meter.createCounter(
    'agent_fanout_attempts_adopted',
    'attempts',
    'Agent attempts adopted after a lost worker',
  );
  const duration = meter.createHistogram(
    'agent_fanout_attempt_duration_seconds',
    'float',
    's',
    'Wall time of one agent attempt',
  );
  return {
    started: () => started.add(1),
    finished: (outcome, seconds) => {
      duration.record(seconds);
      if (outcome.ok) {
        succeeded.add(1);
        if (outcome.adopted) adopted.add(1);
        return;
      }
      failed.add(1, { type: failureKind(outcome.error) });
    },
  };
}

function failureKind(error: unknown): string {
  if (error instanceof ApplicationFailure) return error.type ?? 'Error';
  if (error instanceof CancelledFailure) return 'Cancelled';
  return 'Infrastructure';
}
