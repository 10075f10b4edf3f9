/**
 * Where a unit's attempt logs are on the checkout's host. A shared-checkout run writes them in
 * the unit's namespace (SPEC §4.1); a git run's agents write them in their own working trees,
 * and each attempt's log is copied into the checkout when the attempt ends, as
 * `<repo>/.agent/runs/<workflow id>/<unit_id>/logs/attempt-<n>.log` (SPEC §9 "Evidence and logs").
 */
import path from 'node:path';
import type { FanoutInput } from '../../contracts/run-types';

export function unitLogsDir(
  input: Pick<FanoutInput, 'repo' | 'plan' | 'git'>,
  workflowId: string,
  unitId: string,
): string {
  if (input.git !== undefined) return path.join(input.repo, '.agent', 'runs', workflowId, unitId, 'logs');
  return path.join(input.repo, input.plan.namespaceRoot, unitId, 'logs');
}
