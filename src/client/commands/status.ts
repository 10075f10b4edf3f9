/** `agent-fanout status <id>`: every unit's status, attempts and, for waiting units, why. */
import type { ConnectionArgs } from '../connection/connection-options';
import { readProgress } from '../fanout-client';
import type { CommandIo, ExitCode } from '../io';
import { formatProgressTable } from '../output/progress-table';
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
    io.stdout.write(
      args.json ? `${JSON.stringify(progress, null, 2)}\n` : formatProgressTable(args.id, progress),
    );
    return 0;
  });
}
