/** The flags every command that talks to Temporal shares (SPEC §6), resolved against the environment. */
import type { ConnectionSecurity } from '../worker/worker-options';
import { DEFAULT_NAMESPACE, DEFAULT_TASK_QUEUE, resolveAddress } from '../worker/worker-options';
import type { SecurityArgs } from './connection-security';
import { resolveSecurity } from './connection-security';
import type { CommandIo } from './io';

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

/**
 * The Web UI page of a run. `TEMPORAL_UI_URL` wins; otherwise the dev server's convention (UI on
 * the frontend port + 1000, so 7233 → 8233).
 */
export function webUiLink(connection: ResolvedConnection, workflowId: string, env: CommandIo['env']): string {
  const base = env.TEMPORAL_UI_URL ?? guessUiBase(connection.address);
  return `${base.replace(/\/$/, '')}/namespaces/${encodeURIComponent(connection.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

function guessUiBase(address: string): string {
  const match = /^(.*):(\d+)$/.exec(address);
  if (match === null) return `http://${address}`;
  return `http://${match[1]}:${Number(match[2]) + 1000}`;
}

/** ` --address …` and ` --namespace …` when they differ from what a bare command would use. */
export function repeatedConnectionFlags(connection: ResolvedConnection, io: Pick<CommandIo, 'env'>): string {
  const flags: string[] = [];
  if (connection.address !== resolveAddress(undefined, io.env)) flags.push(`--address ${connection.address}`);
  const namespace = io.env.TEMPORAL_NAMESPACE ?? DEFAULT_NAMESPACE;
  if (connection.namespace !== namespace) flags.push(`--namespace ${connection.namespace}`);
  return flags.map((flag) => ` ${flag}`).join('');
}
