/** `agent-fanout retry <id>`: run again what did not succeed, reusing what did (SPEC §6). */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { ConnectionArgs } from '../connection/connection-options';
import type { CommandIo, ExitCode } from '../io';
import { followOnTarget, withRunTarget } from '../run/open-run';
import { retryRun } from '../run/retry-run';
import { readRunInput } from '../run/run-input';

export interface RetryArgs extends ConnectionArgs {
  readonly id: string;
  readonly newId?: string;
  readonly json?: boolean;
}

export async function run(args: RetryArgs, io: CommandIo): Promise<ExitCode> {
  return withRunTarget(args, io, async (target) => {
    const { client } = target;
    const workflowId = args.newId ?? retryWorkflowId(args.id, Date.now());
    const handle = await retryRun(client, args.id, {
      workflowId,
      ...(args.taskQueue === undefined ? {} : { taskQueue: args.taskQueue }),
    });
    const { plan, repo } = await readRunInput(client, workflowId);
    return followOnTarget(target, {
      handle,
      workflowId,
      io,
      json: args.json === true,
      headline: `retry of ${args.id}: run ${workflowId}, ${plan.workUnits.length} units, max_workers ${plan.maxWorkers}`,
      planName: plan.name,
      repo: existsSync(repo) ? repo : undefined,
    });
  });
}

function retryWorkflowId(oldId: string, nowMs: number): string {
  const base = oldId.replace(/-retry-[0-9a-f]{6}$/, '');
  return `${base}-retry-${createHash('sha256').update(`${oldId}${nowMs}`).digest('hex').slice(0, 6)}`;
}
