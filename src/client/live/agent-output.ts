/**
 * The last output line of each running agent, read from its activity's latest heartbeat
 * (`AgentHeartbeat.lastLines`), which the server keeps with the pending activity and returns in
 * `describe()`. This works wherever the client runs, also far from the worker host that holds the
 * log files, at the cost of one describe call per read; the line is at most one heartbeat
 * (about a second) old.
 */
import type { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import type { AgentHeartbeat } from '../../activities/types';
import type { FanoutHandle } from '../fanout-client';

/** Unit id → its agent's last non-blank output line, for every unit whose agent heartbeats. */
export async function readAgentLastLines(client: Client, handle: FanoutHandle): Promise<Map<string, string>> {
  const lines = new Map<string, string>();
  for (const [unitId, heartbeat] of await readAgentHeartbeats(client, handle)) {
    const last = heartbeat.lastLines?.at(-1);
    if (last !== undefined && last !== '') lines.set(unitId, last);
  }
  return lines;
}

/** Unit id → the latest heartbeat of its running attempt, as far as this client can read it. */
export async function readAgentHeartbeats(
  client: Client,
  handle: FanoutHandle,
): Promise<Map<string, Partial<AgentHeartbeat>>> {
  const description = await handle.describe();
  const heartbeats = new Map<string, Partial<AgentHeartbeat>>();
  for (const activity of description.raw.pendingActivities ?? []) {
    const payloads = activity.heartbeatDetails?.payloads;
    if (payloads === null || payloads === undefined || payloads.length === 0) continue;
    const heartbeat = await decodeHeartbeat(client, payloads);
    const unitId = heartbeat === undefined ? undefined : unitOfLogPath(heartbeat.logPath);
    if (heartbeat !== undefined && unitId !== undefined) heartbeats.set(unitId, heartbeat);
  }
  return heartbeats;
}

async function decodeHeartbeat(
  client: Client,
  payloads: Payload[],
): Promise<Partial<AgentHeartbeat> | undefined> {
  const converter = client.options.loadedDataConverter;
  try {
    let decoded = payloads;
    for (const codec of [...converter.payloadCodecs].reverse()) decoded = await codec.decode(decoded);
    const first = decoded[0];
    if (first === undefined) return undefined;
    const value: unknown = converter.payloadConverter.fromPayload(first);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    // A heartbeat this client cannot read (another payload format) just shows no line.
    return undefined;
  }
}

/**
 * The heartbeat names the attempt's log, `<repo>/<namespace_root>/<unit>/logs/attempt-<n>.log`
 * (SPEC §4.1), which is the one place it carries the unit id.
 */
export function unitOfLogPath(logPath: unknown): string | undefined {
  if (typeof logPath !== 'string') return undefined;
  const match = /([^/\\]+)[/\\]logs[/\\]attempt-\d+\.log$/.exec(logPath);
  return match?.[1];
}
