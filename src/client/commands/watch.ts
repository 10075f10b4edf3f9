/**
 * `agent-fanout watch <id>`: follows a run that is going or shows one that has ended, with the
 * same display as `run` (a live table on a terminal, one line per event otherwise, the result
 * with --json). Ctrl-C asks whether to cancel the run or detach.
 */
import { existsSync } from 'node:fs';
import type { ConnectionArgs } from '../connection/connection-options';
import { startWorkerHint, workerPolls } from '../connection/task-queue-check';
import type { CommandIo, ExitCode } from '../io';
import { followOnTarget, withRun } from '../run/open-run';
import { readRunInput } from '../run/run-input';

export interface WatchArgs extends ConnectionArgs {
  readonly id: string;
  readonly json?: boolean;
}

export async function run(args: WatchArgs, io: CommandIo): Promise<ExitCode> {
  return withRun(args, io, async ({ target, handle, description }) => {
    const { plan, repo, git } = await readRunInput(target.client, args.id);
    if (
      description.status.name === 'RUNNING' &&
      (await workerPolls(target.client, description.taskQueue)) === false
    ) {
      io.stderr.write(
        `warning: no worker polls task queue '${description.taskQueue}', so run ${args.id} waits; ${startWorkerHint(description.taskQueue)}\n`,
      );
    }
    const state =
      description.status.name === 'RUNNING' ? 'running' : `ended (${description.status.name.toLowerCase()})`;
    return followOnTarget(target, {
      handle,
      workflowId: args.id,
      io,
      json: args.json === true,
      headline: `watch ${args.id}: ${plan.name}, ${plan.workUnits.length} units, max_workers ${plan.maxWorkers}, ${state}`,
      planName: plan.name,
      // The summary is on the worker's host; name it only when it is on this one as well.
      repo: repo !== '' && existsSync(repo) ? repo : undefined,
      ...(git?.remote === undefined ? {} : { remote: git.remote }),
    });
  });
}
