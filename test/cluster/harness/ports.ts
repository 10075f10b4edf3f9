/** Free loopback ports for a test cluster, chosen at random. */
import { connect, createServer } from 'node:net';

/**
 * Temporal stores each service's membership port in a PostgreSQL `smallint`, so every port stays
 * below 32768; from 20000 up, clear of the well-known ones and of Linux's ephemeral range.
 */
const LOWEST = 20000;
const HIGHEST = 32767;

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `count` distinct ports that were free on 127.0.0.1 a moment ago. */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = LOWEST + Math.floor(Math.random() * (HIGHEST - LOWEST + 1));
    if (!ports.has(port) && (await isFree(port))) ports.add(port);
  }
  return [...ports];
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`; false after `ms`. */
export async function portAccepts(port: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}
