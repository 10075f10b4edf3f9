/**
 * `agent-fanout cancel <id> [--unit <u>]`: one unit (CANCELLED, its dependents BLOCKED, the rest
 * goes on) or the whole run (every agent stopped, summary written, the run ends Cancelled).
 * A run that has ended, or one no worker serves, gets one line that says so and what to do.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import type { ConnectionArgs } from '../connection/connection-options';
import { startWorkerHint, workerPolls } from '../connection/task-queue-check';
import { CommandFailed, UsageError } from '../errors';
import { UnitNotCancellable, awaitResult, cancelUnit } from '../fanout-client';
import type { CommandIo, ExitCode } from '../io';
import { answerInTime, requireServingWorker, type RunToAsk } from '../run/ask-run';
import { describeRun, runStateName } from '../run/find-run';
import { withRun, type FoundRun } from '../run/open-run';

export interface CancelArgs extends ConnectionArgs {
  readonly id: string;
  readonly unit?: string;
}

export async function run(args: CancelArgs, io: CommandIo): Promise<ExitCode> {
  return withRun(args, io, async (found) => {
    const asked: RunToAsk = {
      client: found.target.client,
      workflowId: args.id,
      description: found.description,
    };
    if (runStateName(found.description) !== 'running') throw alreadyEnded(asked);
    try {
      return args.unit === undefined
        ? await cancelWholeRun(found, asked, io)
        : await cancelOneUnit(found, asked, args.unit, io);
    } catch (error) {
      // The run closed between the look and the request.
      if (error instanceof WorkflowNotFoundError) {
        throw alreadyEnded({ ...asked, ...(await describeRun(asked.client, args.id)) });
      }
      throw error;
    }
  });
}

async function cancelOneUnit(
  found: FoundRun,
  asked: RunToAsk,
  unitId: string,
  io: CommandIo,
): Promise<ExitCode> {
  await requireServingWorker(asked, `cancel unit '${unitId}'`);
  const request = cancelUnit(found.handle, unitId).catch((error: unknown) => {
    if (error instanceof UnitNotCancellable) {
      throw new UsageError(
        `cannot cancel unit '${unitId}': ${error.message}; see \`agent-fanout status ${asked.workflowId}\``,
      );
    }
    throw error;
  });
  const answer = await answerInTime(asked, request, `cancel unit '${unitId}'`);
  io.stdout.write(
    `unit ${answer.unit_id} is ${answer.status}; its dependents are blocked, the rest of the run goes on\n`,
  );
  return 0;
}

async function cancelWholeRun(found: FoundRun, asked: RunToAsk, io: CommandIo): Promise<ExitCode> {
  const taskQueue = found.description.taskQueue;
  await found.handle.cancel();
  if ((await workerPolls(asked.client, taskQueue)) === false) {
    throw new CommandFailed(
      `cancellation of run '${asked.workflowId}' is recorded, but no worker polls its task queue '${taskQueue}', ` +
        `so its agents are stopped only once one does; ${startWorkerHint(taskQueue)}`,
    );
  }
  io.stderr.write(`cancelling run ${asked.workflowId}: stopping every agent…\n`);
  const result = await awaitResult(found.handle).catch(() => undefined);
  io.stdout.write(`run ${asked.workflowId} is ${result?.status ?? 'cancelled'}\n`);
  return 0;
}

function alreadyEnded(asked: RunToAsk): CommandFailed {
  const id = asked.workflowId;
  return new CommandFailed(
    `run '${id}' has already ended (${runStateName(asked.description)}), so there is nothing to cancel; ` +
      `see how it ended with \`agent-fanout status ${id}\`, or run what did not succeed again with \`agent-fanout retry ${id}\``,
  );
}
