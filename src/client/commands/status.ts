/** `agent-fanout status <id>`: every unit's status, attempts and, for waiting units, why. */
import type { ConnectionArgs } from '../connection/connection-options';
import { resolveConnection } from '../connection/connection-options';
import { connectClient, readProgress } from '../fanout-client';
import type { CommandIo, ExitCode } from '../io';
import { formatProgressTable } from '../output/progress-table';
import { findRun } from '../run/find-run';

export interface StatusArgs extends ConnectionArgs {
  readonly id: string;
  readonly json?: boolean;
}

export async function run(args: StatusArgs, io: CommandIo): Promise<ExitCode> {
  const connection = resolveConnection(args, io);
  const client = await connectClient(connection);
  try {
    const handle = await findRun(client, args.id);
    const progress = await readProgress(handle);
    io.stdout.write(
      args.json ? `${JSON.stringify(progress, null, 2)}\n` : formatProgressTable(args.id, progress),
    );
    return 0;
  } finally {
    await client.connection.close();
  }
}
