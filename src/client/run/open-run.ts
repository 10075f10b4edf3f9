/**
 * What the commands that reach a run share: open the run's server, find the run, and follow it
 * with the display of `run`; the server's connection is closed however the command ends.
 */
import type { ConnectionArgs } from '../connection/connection-options';
import { openRunTarget, type RunTarget, type RunTargetArgs } from '../connection/run-target';
import { checkWorkflowId } from './ids';
import { CommandFailed } from '../errors';
import type { CommandIo, ExitCode } from '../io';
import { attachToRun, type AttachOptions } from './attach';
import { describeRun, type DescribedRun } from './find-run';

/** Opens the run's server (the connection flags', or an embedded one), runs `body`, closes it. */
export async function withRunTarget<T>(
  args: RunTargetArgs,
  io: CommandIo,
  body: (target: RunTarget) => Promise<T>,
): Promise<T> {
  const target = await openRunTarget(args, io);
  try {
    const work = body(target);
    if (target.serverDied === undefined) return await work;
    // The command's own work cannot go on without its server: end with what happened instead.
    const died = target.serverDied.then((message) => {
      throw new CommandFailed(message);
    });
    return await Promise.race([work, died]);
  } finally {
    await target.close();
  }
}

export interface FoundRun extends DescribedRun {
  readonly target: RunTarget;
}

/** Connects, finds run `args.id` (a clear error when there is none), runs `body`, closes. */
export async function withRun<T>(
  args: ConnectionArgs & { readonly id: string },
  io: CommandIo,
  body: (run: FoundRun) => Promise<T>,
): Promise<T> {
  checkWorkflowId(args.id, 'the run id');
  return withRunTarget(args, io, async (target) =>
    body({ target, ...(await describeRun(target.client, args.id)) }),
  );
}

/** What `attachToRun` needs beyond what the run's target knows. */
export type RunToFollow = Omit<
  AttachOptions,
  'client' | 'uiLink' | 'uiNote' | 'connectionFlags' | 'detachNote'
>;

/** Follows a run on `target` (see attach.ts), with its Web UI link and notes. */
export function followOnTarget(target: RunTarget, run: RunToFollow): Promise<ExitCode> {
  return attachToRun({
    ...run,
    client: target.client,
    uiLink: target.uiLink(run.workflowId),
    connectionFlags: target.connectionFlags,
    ...(target.uiNote !== undefined ? { uiNote: target.uiNote } : {}),
    ...(target.detachNote !== undefined ? { detachNote: target.detachNote } : {}),
  });
}
