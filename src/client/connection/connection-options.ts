/** The flags every command that talks to Temporal shares (SPEC §6), resolved against the environment. */
import path from 'node:path';
import type { ConnectionSecurity } from '../../contracts/connection';
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE, resolveAddress } from '../../contracts/connection';
import type { SecurityArgs } from './connection-security';
import { resolveSecurity } from './connection-security';
import { DEFAULT_DB_FILE, liveOwner } from './dev-owner';
import type { CommandIo } from '../io';

export interface ConnectionArgs extends SecurityArgs {
  readonly address?: string;
  readonly namespace?: string;
  readonly taskQueue?: string;
}

export interface ResolvedConnection {
  readonly address: string;
  readonly namespace: string;
  readonly taskQueue: string;
  /** Absent or empty for a plain connection (a local dev server). */
  readonly security?: ConnectionSecurity;
}

export function resolveConnection(
  args: ConnectionArgs,
  io: Pick<CommandIo, 'env' | 'cwd'>,
): ResolvedConnection {
  return {
    address: resolveAddress(args.address, io.env),
    namespace: args.namespace ?? io.env.TEMPORAL_NAMESPACE ?? DEFAULT_NAMESPACE,
    taskQueue: args.taskQueue ?? DEFAULT_TASK_QUEUE,
    security: resolveSecurity(args, io),
  };
}

/** The SDK's port for an address that names none. */
const DEFAULT_FRONTEND_PORT = 7233;
/** `temporal server start-dev` puts its Web UI here unless told `--ui-port`. */
const DEV_UI_PORT_OFFSET = 1000;

/**
 * The Web UI page of a run. Its base is the first of: `startedUiUrl`, the UI of a server this
 * process started (on whatever port it got); `TEMPORAL_UI_URL`; the UI of the `agent-fanout dev`
 * of the working directory when it serves this address (its `--ui-port` may be any port); else
 * `temporal server start-dev`'s default, the frontend port + 1000 (7233 → 8233).
 */
export function webUiLink(
  connection: ResolvedConnection,
  workflowId: string,
  io: Pick<CommandIo, 'env' | 'cwd'>,
  startedUiUrl?: string,
): string {
  const base =
    startedUiUrl ??
    (io.env.TEMPORAL_UI_URL || undefined) ??
    devUiServing(connection.address, io.cwd) ??
    guessUiBase(connection.address);
  return `${base.replace(/\/$/, '')}/namespaces/${encodeURIComponent(connection.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

function devUiServing(address: string, cwd: string): string | undefined {
  const owner = liveOwner(path.resolve(cwd, DEFAULT_DB_FILE));
  return owner !== undefined && sameEndpoint(owner.address, address) ? owner.uiUrl : undefined;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

function sameEndpoint(a: string, b: string): boolean {
  const [x, y] = [hostAndPort(a), hostAndPort(b)];
  return x.port === y.port && (x.host === y.host || (LOOPBACK.has(x.host) && LOOPBACK.has(y.host)));
}

function guessUiBase(address: string): string {
  const { host, port } = hostAndPort(address);
  return `http://${host.includes(':') ? `[${host}]` : host}:${port + DEV_UI_PORT_OFFSET}`;
}

/** `host:port`, `[v6]:port`, or a host alone (the SDK's default port, as it connects). */
function hostAndPort(address: string): { host: string; port: number } {
  const match = /^\[(.+)\](?::(\d+))?$/.exec(address) ?? /^([^:]*)(?::(\d+))?$/.exec(address);
  const host = (match?.[1] ?? address).toLowerCase();
  return { host, port: match?.[2] === undefined ? DEFAULT_FRONTEND_PORT : Number(match[2]) };
}

/** ` --address …` and ` --namespace …` when they differ from what a bare command would use. */
export function repeatedConnectionFlags(connection: ResolvedConnection, io: Pick<CommandIo, 'env'>): string {
  const flags: string[] = [];
  if (connection.address !== resolveAddress(undefined, io.env)) flags.push(`--address ${connection.address}`);
  const namespace = io.env.TEMPORAL_NAMESPACE ?? DEFAULT_NAMESPACE;
  if (connection.namespace !== namespace) flags.push(`--namespace ${connection.namespace}`);
  return flags.map((flag) => ` ${flag}`).join('');
}
