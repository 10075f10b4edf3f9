/**
 * The worker's defaults fit the plans and the workflow they serve: enough agent slots for the
 * widest plan, heartbeats let through well inside the attempt's heartbeat timeout, and a shutdown
 * that leaves running agents for the next try before it is forced.
 */
import { msToNumber } from '@temporalio/common/lib/time';
import { MAX_WORKERS_LIMIT } from '../../src/plan/field-rules';
import {
  DEFAULT_MAX_CONCURRENT_AGENTS,
  HEARTBEAT_THROTTLE,
  SHUTDOWN_FORCE_TIME,
  SHUTDOWN_GRACE_TIME,
  eagerAgentStartsPerWorkflowTask,
} from '../../src/worker/worker-options';
import { AGENT_HEARTBEAT_TIMEOUT_MS } from '../../src/workflows/unit-runner';

describe('worker options', () => {
  it('give a worker enough agent slots for the widest plan', () => {
    expect(DEFAULT_MAX_CONCURRENT_AGENTS).toBeGreaterThanOrEqual(MAX_WORKERS_LIMIT);
  });

  it('start eagerly as many units of a workflow task as the worker has agent slots', () => {
    expect(eagerAgentStartsPerWorkflowTask({ maxConcurrentAgents: 7 })).toBe(7);
    expect(eagerAgentStartsPerWorkflowTask({ maxConcurrentAgents: DEFAULT_MAX_CONCURRENT_AGENTS })).toBe(
      DEFAULT_MAX_CONCURRENT_AGENTS,
    );
  });

  it('let several heartbeats through within the attempt heartbeat timeout', () => {
    expect(msToNumber(HEARTBEAT_THROTTLE) * 3).toBeLessThan(AGENT_HEARTBEAT_TIMEOUT_MS);
  });

  it('give running activities their shutdown grace before the shutdown is forced', () => {
    expect(msToNumber(SHUTDOWN_GRACE_TIME)).toBeLessThan(msToNumber(SHUTDOWN_FORCE_TIME));
  });
});
