/**
 * Where a run goes: the Temporal server of the connection flags, or with `--embedded` (and in
 * `demo`) a dev server and worker started in this process for the run and stopped after it.
 */
import { resolve } from 'node:path';
import type { Client } from '@temporalio/client';
import { DEFAULT_TASK_QUEUE } from '../../contracts/connection';
import type { ConnectionArgs, ResolvedConnection } from './connection-options';
import { repeatedConnectionFlags, resolveConnection, webUiLink } from './connection-options';
import { UsageError } from '../errors';
import { connectClient } from '../fanout-client';
import type { CommandIo } from '../io';
import { DEFAULT_DB_FILE } from './dev-owner';

export interface RunTarget {
  readonly client: Client;
  readonly connection: ResolvedConnection;
  /** True when this process serves the run (it stops when the command ends). */
  readonly embedded: boolean;
  uiLink(workflowId: string): string;
  /** For the end of an embedded run: how to see it again once this process has stopped its server. */
  readonly uiNote?: string;
  readonly detachNote?: string;
  /** The connection flags that reach this server again from another command. */
  readonly connectionFlags: string;
  /** An embedded server's unasked death, with what to say (see local-temporal.ts). */
  readonly serverDied?: Promise<string>;
  close(): Promise<void>;
}

export interface RunTargetArgs extends ConnectionArgs {
  readonly embedded?: boolean;
}

export async function openRunTarget(args: RunTargetArgs, io: CommandIo): Promise<RunTarget> {
  if (args.embedded !== true) {
    const connection = resolveConnection(args, io);
    const client = await connectClient(connection);
    return {
      client,
      connection,
      embedded: false,
      uiLink: (workflowId) => webUiLink(connection, workflowId, io),
      connectionFlags: repeatedConnectionFlags(connection, io),
      close: () => client.connection.close(),
    };
  }
  if (args.address !== undefined) {
    throw new UsageError(
      '--embedded starts a server of its own, so --address does not apply; drop one of the two',
    );
  }
  const dbFile = resolve(io.cwd, DEFAULT_DB_FILE);
  // Loaded only here: it brings the worker, which commands that reach a remote server never need.
  const { startLocalTemporal } = await import('./local-temporal');
  const local = await startLocalTemporal({
    dbFile,
    namespace: args.namespace ?? 'default',
    taskQueue: args.taskQueue ?? DEFAULT_TASK_QUEUE,
    log: (line) => io.stderr.write(`${line}\n`),
    workerLogFile: `${dbFile}.worker.log`,
    whenOwned: 'reuse',
  });
  const connection: ResolvedConnection = {
    address: local.address,
    namespace: local.namespace,
    taskQueue: local.taskQueue,
  };
  let client: Client;
  try {
    client = await connectClient(connection);
  } catch (error) {
    await local.stop();
    throw error;
  }
  return {
    client,
    connection,
    embedded: !local.reused,
    uiLink: (workflowId) => webUiLink(connection, workflowId, io, local.reused ? undefined : local.uiUrl),
    ...(local.reused
      ? {}
      : {
          uiNote: `(served while this command runs; afterwards \`agent-fanout dev\` in ${io.cwd} serves it again)`,
          detachNote:
            'This process served it, so the run pauses now (its running agents go on); ' +
            '`agent-fanout dev` in this directory picks it up again.',
        }),
    connectionFlags: local.reused ? ` --address ${local.address}` : '',
    ...(local.serverDied === undefined ? {} : { serverDied: local.serverDied }),
    close: async () => {
      await client.connection.close();
      await local.stop();
    },
  };
}
