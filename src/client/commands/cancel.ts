/**
 * `agent-fanout cancel <id> [--unit <u>]`: one unit (CANCELLED, its dependents BLOCKED, the rest
 * goes on) or the whole run (every agent stopped, summary written, the run ends Cancelled).
 */
import type { ConnectionArgs } from '../connection/connection-options';
import { UsageError } from '../errors';
import { UnitNotCancellable, awaitResult, cancelUnit } from '../fanout-client';
import type { CommandIo, ExitCode } from '../io';
import { withRun } from '../run/open-run';

export interface CancelArgs extends ConnectionArgs {
  readonly id: string;
  readonly unit?: string;
}

export async function run(args: CancelArgs, io: CommandIo): Promise<ExitCode> {
  return withRun(args, io, async ({ handle }) => {
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
  });
}
