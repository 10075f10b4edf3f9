/**
 * Where a unit's attempt logs are on the checkout's host. A shared-checkout run writes them in
 * the unit's namespace (SPEC §4.1); a git run's agents write them in their own working trees,
 * and each attempt's log is copied into the checkout when the attempt ends, under
 * `.agent/runs/<workflow id>/<unit_id>/logs/` (SPEC §9 "Evidence and logs", evidence-copy.ts).
 */
import path from 'node:path';
import { evidencePaths } from '../../activities/git-workspace/evidence-copy';
import type { FanoutInput } from '../../contracts/run-types';

export function unitLogsDir(
  input: Pick<FanoutInput, 'repo' | 'plan' | 'git'>,
  workflowId: string,
  unitId: string,
): string {
  if (input.git !== undefined) return evidencePaths(input.repo, workflowId, unitId).logsDir;
  return path.join(input.repo, input.plan.namespaceRoot, unitId, 'logs');
}
