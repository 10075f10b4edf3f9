/**
 * `agent-fanout cancel <id> [--unit <u>]`: one unit (CANCELLED, its dependents BLOCKED, the rest
 * goes on) or the whole run (every agent stopped, summary written, the run ends Cancelled).
 */
import type { ConnectionArgs } from '../connection/connection-options';
import { resolveConnection } from '../connection/connection-options';
import { UsageError } from '../errors';
import { UnitNotCancellable, awaitResult, cancelUnit, connectClient } from '../fanout-client';
import { findRun } from '../run/find-run';
import type { CommandIo, ExitCode } from '../io';

export interface CancelArgs extends ConnectionArgs {
  readonly id: string;
  readonly unit?: string;
}

export async function run(args: CancelArgs, io: CommandIo): Promise<ExitCode> {
  const connection = resolveConnection(args, io);
  const client = await connectClient(connection);
  try {
    const handle = await findRun(client, args.id);
    if (args.unit !== undefined) {
      const answer = await cancelUnit(handle, args.unit).catch((error: unknown) => {
        if (error instanceof UnitNotCancellable) {
          throw new UsageError(
            `cannot cancel unit '${args.unit}': ${error.message}; see \`agent-fanout status ${args.id}\``,
          );
        }
        throw error;
      });
      io.stdout.write(
        `unit ${answer.unit_id} is ${answer.status}; its dependents are blocked, the rest of the run goes on\n`,
      );
      return 0;
    }
    await handle.cancel();
    io.stderr.write(`cancelling run ${args.id}: stopping every agent…\n`);
    const result = await awaitResult(handle).catch(() => undefined);
    io.stdout.write(`run ${args.id} is ${result?.status ?? 'cancelled'}\n`);
    return 0;
  } finally {
    await client.connection.close();
  }
}
