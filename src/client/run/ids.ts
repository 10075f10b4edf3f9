import { createHash } from 'node:crypto';

/**
 * The default workflow id of a run: `fanout-<name>-<hash>`, where the hash covers the plan text
 * and the start time. Two starts of the same plan are two runs; a second start with the same
 * explicit `--id` is refused by Temporal while the first runs (never a duplicate run).
 */
export function defaultWorkflowId(planName: string, planText: string, nowMs: number): string {
  const slug = planName
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  const hash = createHash('sha256').update(planText).update(String(nowMs)).digest('hex').slice(0, 8);
  return `fanout-${slug || 'plan'}-${hash}`;
}
