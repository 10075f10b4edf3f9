/** `agent-fanout status <id>`: every unit's status, attempts and, for waiting units, why. */
import type { ConnectionArgs } from '../connection/connection-options';
import { readProgress } from '../fanout-client';
import type { CommandIo, ExitCode } from '../io';
import { formatProgressTable, type RunBranch } from '../output/progress-table';
import { answerInTime, requireServingWorker } from '../run/ask-run';
import { withRun } from '../run/open-run';

export interface StatusArgs extends ConnectionArgs {
  readonly id: string;
  readonly json?: boolean;
}

export async function run(args: StatusArgs, io: CommandIo): Promise<ExitCode> {
  return withRun(args, io, async ({ target, handle, description }) => {
    const asked = { client: target.client, workflowId: args.id, description };
    await requireServingWorker(asked, 'read its progress');
    const progress = await answerInTime(asked, readProgress(handle), 'report its progress');
    const git = runBranch(description.memo);
    io.stdout.write(
      args.json
        ? `${JSON.stringify(git === undefined ? progress : { ...progress, git }, null, 2)}\n`
        : formatProgressTable(args.id, progress, Date.now(), git),
    );
    return 0;
  });
}

/** A git run's branch and base from its memo; undefined for a shared-checkout run. */
export function runBranch(memo: Record<string, unknown> | undefined): RunBranch | undefined {
  const branch = memo?.['git_branch'];
  const base = memo?.['git_base'];
  const remote = memo?.['git_remote'];
  if (typeof branch !== 'string' || typeof base !== 'string') return undefined;
  return typeof remote === 'string' ? { branch, base, remote } : { branch, base };
}
