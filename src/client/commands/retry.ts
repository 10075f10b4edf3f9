/** `agent-fanout retry <id>`: run again what did not succeed, reusing what did (SPEC §6). */
import { createHash } from 'node:crypto';
import type { ConnectionArgs } from '../connection-options';
import { resolveConnection, webUiLink } from '../connection-options';
import { connectClient } from '../fanout-client';
import { describeEvent, followRun } from '../follow-run';
import type { CommandIo, ExitCode } from '../io';
import { formatResultTable } from '../result-table';
import { retryRun } from '../retry-run';
import { exitCodeFor } from './run';

export interface RetryArgs extends ConnectionArgs {
  readonly id: string;
  readonly newId?: string;
  readonly json?: boolean;
}

export async function run(args: RetryArgs, io: CommandIo): Promise<ExitCode> {
  const connection = resolveConnection(args, io);
  const client = await connectClient(connection);
  try {
    const workflowId = args.newId ?? retryWorkflowId(args.id, Date.now());
    const handle = await retryRun(client, args.id, {
      workflowId,
      ...(args.taskQueue === undefined ? {} : { taskQueue: args.taskQueue }),
    });
    const progress = args.json ? io.stderr : io.stdout;
    progress.write(`retry of ${args.id}: run ${workflowId}\n  Web UI: ${webUiLink(connection, workflowId, io.env)}\n`);
    const result = await followRun(handle, (event) => progress.write(`  ${describeEvent(event)}\n`));
    io.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : formatResultTable(result));
    return exitCodeFor(result.status);
  } finally {
    await client.connection.close();
  }
}

function retryWorkflowId(oldId: string, nowMs: number): string {
  const base = oldId.replace(/-retry-[0-9a-f]{6}$/, '');
  return `${base}-retry-${createHash('sha256').update(`${oldId}${nowMs}`).digest('hex').slice(0, 6)}`;
}
