/** `agent-fanout run <plan>`: validate, start the run, follow it, print the result (SPEC §6). */
import { realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { FanoutResult } from '../../plan/types';
import { PREFLIGHT_UNIT_ID } from '../../plan/types';
import type { ConnectionArgs } from '../connection-options';
import { resolveConnection, webUiLink } from '../connection-options';
import { PlanRejected, UsageError } from '../errors';
import { connectClient, startRun } from '../fanout-client';
import { describeEvent, followRun } from '../follow-run';
import { defaultWorkflowId } from '../ids';
import type { CommandIo, ExitCode } from '../io';
import { loadPlanFile } from '../load-plan';
import { parseAgentCommandOption, parseMaxWorkersOption } from '../options';
import { formatResultTable } from '../result-table';
import { warnWithoutWorkers } from '../task-queue-check';
import { printWarnings } from './shared';

export interface RunArgs extends ConnectionArgs {
  readonly plan: string;
  readonly repo?: string;
  readonly json?: boolean;
  readonly id?: string;
  readonly agentCommand?: string;
  readonly maxWorkers?: string;
}

export async function run(args: RunArgs, io: CommandIo): Promise<ExitCode> {
  const agentCommand = parseAgentCommandOption(args.agentCommand);
  const maxWorkers = parseMaxWorkersOption(args.maxWorkers);
  const repo = resolveRepo(args.repo, io.cwd);
  const loaded = await loadPlanFile(args.plan, { cwd: io.cwd, agentCommand }).catch((error: unknown) => {
    if (error instanceof PlanRejected && args.json)
      io.stdout.write(`${JSON.stringify(rejectedResult(error.message), null, 2)}\n`);
    throw error;
  });
  printWarnings(loaded.warnings, io);
  const plan = maxWorkers === undefined ? loaded.plan : { ...loaded.plan, maxWorkers };

  const connection = resolveConnection(args, io);
  const client = await connectClient(connection);
  const workflowId = args.id ?? defaultWorkflowId(plan.name, loaded.text, Date.now());
  const handle = await startRun(client, { plan, repo, taskQueue: connection.taskQueue, workflowId }).catch(
    (error: unknown) => {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        throw new UsageError(
          `a run with id '${workflowId}' already exists; watch it with \`agent-fanout watch ${workflowId}\`, ` +
            `or choose another --id`,
        );
      }
      throw error;
    },
  );
  const progress = args.json ? io.stderr : io.stdout;
  progress.write(`run ${workflowId}: ${plan.workUnits.length} units, max_workers ${plan.maxWorkers}\n`);
  progress.write(`  Web UI: ${webUiLink(connection, workflowId, io.env)}\n`);
  progress.write(`  Ctrl-C detaches; the run goes on. Stop it with \`agent-fanout cancel ${workflowId}\`.\n`);
  await warnWithoutWorkers(client, connection, io);

  const result = await followRun(handle, (event) => progress.write(`  ${describeEvent(event)}\n`));
  if (args.json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    io.stdout.write(formatResultTable(result));
    io.stdout.write(`Summary: ${resolve(repo, '.agent/artifacts/parallel_development_summary.md')}\n`);
    io.stdout.write(`Web UI:  ${webUiLink(connection, workflowId, io.env)}\n`);
  }
  await client.connection.close();
  return exitCodeFor(result.status);
}

export function exitCodeFor(status: FanoutResult['status']): ExitCode {
  return status === 'succeeded' ? 0 : status === 'rejected' ? 2 : 1;
}

/** SPEC §7.7: what `run --json` prints for a plan refused before anything started. */
function rejectedResult(message: string): FanoutResult {
  return {
    status: 'rejected',
    events: [{ type: 'worker_failed', unit_id: PREFLIGHT_UNIT_ID, exit_code: 2, error: message }],
    units: {},
  };
}

function resolveRepo(repo: string | undefined, cwd: string): string {
  const path = resolve(cwd, repo ?? '.');
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory)
    throw new UsageError(`--repo ${path} is not a directory; pass the checkout the agents should work in`);
  return realpathSync(path);
}
