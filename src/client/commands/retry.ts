/**
 * `agent-fanout retry <id> [--plan <file>]`: run again what did not succeed, reusing what did
 * (SPEC §6); with `--plan`, the edited plan runs and only its unchanged units are reused
 * (run/plan-changes.ts defines unchanged).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Plan } from '../../plan/types';
import type { ConnectionArgs } from '../connection/connection-options';
import type { CommandIo, ExitCode } from '../io';
import { loadPlanFile } from '../plan-input/load-plan';
import { checkWorkflowId } from '../run/ids';
import { followOnTarget, withRunTarget } from '../run/open-run';
import { describePlanChanges } from '../run/plan-changes';
import { retryRun } from '../run/retry-run';
import { readRunInput } from '../run/run-input';
import { printWarnings } from './shared';

export interface RetryArgs extends ConnectionArgs {
  readonly id: string;
  readonly newId?: string;
  /** An edited plan file to run instead of the stored plan. */
  readonly plan?: string;
  readonly json?: boolean;
  /** A git run's new branch (default: named after the new run). */
  readonly branch?: string;
}

export async function run(args: RetryArgs, io: CommandIo): Promise<ExitCode> {
  checkWorkflowId(args.id, 'the run id');
  if (args.newId !== undefined) checkWorkflowId(args.newId, '--new-id');
  const edited = args.plan === undefined ? undefined : await loadEditedPlan(args.plan, io);
  return withRunTarget(args, io, async (target) => {
    const { client } = target;
    const workflowId = args.newId ?? retryWorkflowId(args.id, Date.now());
    const handle = await retryRun(client, args.id, {
      workflowId,
      ...(args.taskQueue === undefined ? {} : { taskQueue: args.taskQueue }),
      ...(edited === undefined ? {} : { plan: edited }),
      onPlanChanges: (changes) => io.stderr.write(`${describePlanChanges(changes)}\n`),
      onGitNotice: (line) => io.stderr.write(`${line}\n`),
      ...(args.branch === undefined ? {} : { branch: args.branch }),
    });
    const { plan, repo, git } = await readRunInput(client, workflowId);
    return followOnTarget(target, {
      handle,
      workflowId,
      io,
      json: args.json === true,
      headline: `retry of ${args.id}: run ${workflowId}, ${plan.workUnits.length} units, max_workers ${plan.maxWorkers}`,
      planName: plan.name,
      repo: repo !== '' && existsSync(repo) ? repo : undefined,
      ...(git?.remote === undefined ? {} : { remote: git.remote }),
    });
  });
}

async function loadEditedPlan(file: string, io: CommandIo): Promise<Plan> {
  const loaded = await loadPlanFile(file, { cwd: io.cwd });
  printWarnings(loaded.warnings, io);
  return loaded.plan;
}

function retryWorkflowId(oldId: string, nowMs: number): string {
  const base = oldId.replace(/-retry-[0-9a-f]{6}$/, '').slice(0, 200);
  return `${base}-retry-${createHash('sha256').update(`${oldId}${nowMs}`).digest('hex').slice(0, 6)}`;
}
