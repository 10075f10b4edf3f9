/**
 * `agent-fanout logs` of a run on many hosts (SPEC §10), from any machine: an attempt that has
 * ended is read whole from the unit's evidence ref on the remote (run/evidence-log.ts); the
 * running attempt shows the latest lines its heartbeat carries, which is all that leaves its host
 * before it ends. With --follow those lines are printed as they change until the unit has ended.
 */
import type { Client } from '@temporalio/client';
import type { AgentHeartbeat } from '../../activities/types';
import { evidenceRef } from '../../contracts/hosts';
import { UsageError } from '../errors';
import type { FanoutHandle } from '../fanout-client';
import type { CommandIo, ExitCode } from '../io';
import { readAgentHeartbeats } from '../live/agent-output';
import { withEvidenceLogs } from '../run/evidence-log';
import { hasEnded, neverStarted, unitStatus, type UnitState } from '../run/unit-state';

const POLL_MS = 1000;

export interface RemoteLogsRequest {
  readonly client: Client;
  readonly handle: FanoutHandle;
  readonly remote: string;
  readonly workflowId: string;
  readonly unitId: string;
  /** `--attempt`. */
  readonly pinned: number | undefined;
  readonly follow: boolean;
  readonly io: CommandIo;
}

export async function remoteLogs(request: RemoteLogsRequest): Promise<ExitCode> {
  const { io, unitId, pinned } = request;
  const running = await runningHeartbeat(request);
  if (running !== undefined && (pinned === undefined || pinned === running.attempt)) {
    return request.follow ? followHeartbeats(request) : printHeartbeat(request, running);
  }
  const printed = await withEvidenceLogs(request.remote, request.workflowId, unitId, async (logs) => {
    const attempt = pinned ?? logs.attempts.at(-1);
    if (attempt === undefined) return undefined;
    if (!logs.attempts.includes(attempt)) throw noSuchAttempt(request, attempt, logs.attempts);
    const text = await logs.read(attempt);
    io.stdout.write(text);
    if (text === '')
      io.stderr.write(`attempt ${attempt} of unit '${unitId}' printed nothing (its log is empty)\n`);
    return attempt;
  });
  if (printed !== undefined) {
    if (!request.follow || pinned !== undefined) return 0;
    // --follow goes on to the unit's next attempt (a retry) until the unit has ended.
    return hasEnded(await unitStatus(request.handle, unitId)) ? 0 : followHeartbeats(request);
  }
  const status = await unitStatus(request.handle, unitId);
  if (hasEnded(status)) throw neverStarted(request.workflowId, unitId, status ?? 'run closed');
  if (request.follow) return followHeartbeats(request);
  throw new UsageError(
    `unit '${unitId}' has no log yet${status === undefined ? '' : ` (it is ${status})`}; ` +
      `wait for it with \`agent-fanout logs ${request.workflowId} ${unitId} --follow\``,
  );
}

async function runningHeartbeat(request: RemoteLogsRequest): Promise<Partial<AgentHeartbeat> | undefined> {
  const description = await request.handle.describe();
  if (description.status.name !== 'RUNNING') return undefined;
  return (await readAgentHeartbeats(request.client, request.handle)).get(request.unitId);
}

function printHeartbeat(request: RemoteLogsRequest, heartbeat: Partial<AgentHeartbeat>): ExitCode {
  const { io } = request;
  io.stderr.write(`${runningHeader(request, heartbeat)}\n`);
  const lines = heartbeat.lastLines ?? [];
  if (lines.length > 0) io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function runningHeader(request: RemoteLogsRequest, heartbeat: Partial<AgentHeartbeat>): string {
  const host = heartbeat.host === undefined ? '' : ` on ${heartbeat.host}`;
  return (
    `attempt ${heartbeat.attempt ?? '?'} of unit '${request.unitId}' is running${host}; ` +
    `its latest lines, from its heartbeat (its whole log reaches ${evidenceRef(request.workflowId, request.unitId)} on ${request.remote} when it ends):`
  );
}

/** Prints each heartbeat's lines that the previous one did not have, until the unit has ended. */
async function followHeartbeats(request: RemoteLogsRequest): Promise<ExitCode> {
  const { io, unitId } = request;
  let attempt: number | undefined;
  let shown: readonly string[] = [];
  let status: UnitState;
  for (;;) {
    status = await unitStatus(request.handle, unitId);
    const heartbeat = hasEnded(status) ? undefined : await runningHeartbeat(request);
    if (heartbeat?.attempt !== undefined && heartbeat.attempt !== attempt) {
      attempt = heartbeat.attempt;
      shown = [];
      io.stderr.write(`--- ${runningHeader(request, heartbeat)} ---\n`);
    }
    const lines = heartbeat?.lastLines ?? shown;
    const fresh = lines.slice(overlap(shown, lines));
    if (fresh.length > 0) io.stdout.write(`${fresh.join('\n')}\n`);
    shown = lines;
    if (hasEnded(status)) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const ended = status === 'run closed' ? 'the run has ended' : status;
  const whole =
    attempt === undefined
      ? ''
      : `; its whole log: agent-fanout logs ${request.workflowId} ${unitId} --attempt ${attempt}`;
  io.stderr.write(`--- ${unitId}: ${ended ?? 'ended'}${whole} ---\n`);
  return 0;
}

/** How many of `next`'s first lines are the last lines of `previous` (already printed). */
export function overlap(previous: readonly string[], next: readonly string[]): number {
  for (let count = Math.min(previous.length, next.length); count > 0; count -= 1) {
    const tail = previous.slice(previous.length - count);
    if (tail.every((line, index) => line === next[index])) return count;
  }
  return 0;
}

function noSuchAttempt(request: RemoteLogsRequest, attempt: number, have: readonly number[]): UsageError {
  return new UsageError(
    `unit '${request.unitId}' has no log of attempt ${attempt} in ${evidenceRef(request.workflowId, request.unitId)} on ${request.remote}` +
      (have.length === 0 ? ' (no attempt of it has ended yet)' : `; it has attempt ${have.join(', ')}`) +
      `; pass one of those to --attempt, or leave it out for the latest`,
  );
}
