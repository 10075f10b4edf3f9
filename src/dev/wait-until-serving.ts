/**
 * Readiness of a starting dev server: first the frontend port accepts TCP (polled every 50 ms,
 * because a gRPC channel that finds the port closed backs off for a second before it tries again),
 * then the frontend answers `getSystemInfo` and describes the namespace.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Connection } from '@temporalio/client';

/** The server process ended before it answered; the message says how it ended. */
export class ServerExitedError extends Error {}

export interface WaitUntilServingInput {
  readonly host: string;
  readonly port: number;
  readonly namespace: string;
  readonly timeoutMs: number;
  /** How the process ended (`exit code 1`, `signal SIGKILL`), once it has. */
  readonly exitReason: () => string | undefined;
}

/** Resolves once the server serves the namespace; rejects on exit or after `timeoutMs`. */
export async function waitUntilServing(input: WaitUntilServingInput): Promise<void> {
  const address = `${input.host}:${input.port}`;
  const deadline = Date.now() + input.timeoutMs;
  let lastError = 'the port never accepted a connection';
  const giveUpIfOver = (): void => {
    const reason = input.exitReason();
    if (reason !== undefined) throw new ServerExitedError(reason);
    if (Date.now() > deadline) {
      throw new Error(`did not answer at ${address} within ${input.timeoutMs} ms (last error: ${lastError})`);
    }
  };

  while (!(await acceptsTcp(input.host, input.port))) {
    giveUpIfOver();
    await sleep(50);
  }
  for (;;) {
    giveUpIfOver();
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.getSystemInfo({});
        await connection.workflowService.describeNamespace({ namespace: input.namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    await sleep(100);
  }
}

function acceptsTcp(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const settle = (accepted: boolean): void => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(1_000, () => settle(false));
    socket.once('connect', () => settle(true));
    socket.once('error', () => settle(false));
  });
}
