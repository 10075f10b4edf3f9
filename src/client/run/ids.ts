import { createHash } from 'node:crypto';
import { UsageError } from '../errors';

/**
 * The default workflow id of a run: `fanout-<name>-<hash>`, where the hash covers the plan text
 * and the start time. Two starts of the same plan are two runs; a second start with the same
 * explicit `--id` is refused by Temporal while the first runs (never a duplicate run).
 */
export function defaultWorkflowId(planName: string, planText: string, nowMs: number): string {
  const hash = createHash('sha256').update(planText).update(String(nowMs)).digest('hex').slice(0, 8);
  return `fanout-${planSlug(planName)}-${hash}`;
}

/** The plan's name in lower-case letters, digits, `_` and `-`, at most 40 of them; `plan` when none is left. */
export function planSlug(planName: string): string {
  const slug = planName
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return slug || 'plan';
}

/** Temporal's default limit on a workflow id (`limit.maxIDLength`). */
export const MAX_WORKFLOW_ID_LENGTH = 255;

/**
 * Refuses an id Temporal would refuse, before anything reaches the server, which would answer
 * with an error that reads like a connection problem. `source` names where the id came from.
 */
export function checkWorkflowId(id: string, source: string): void {
  if (id.trim() === '') {
    throw new UsageError(`${source} is empty; pass a run's workflow id (\`agent-fanout run\` prints it)`);
  }
  if (id.length > MAX_WORKFLOW_ID_LENGTH) {
    throw new UsageError(
      `${source} is ${id.length} characters long; Temporal allows at most ${MAX_WORKFLOW_ID_LENGTH} in a workflow id, pass a shorter one`,
    );
  }
}
