/**
 * `agent-fanout logs <id> <unit> [--attempt n] [--follow]`: prints a unit's agent log,
 * `<repo>/<namespace_root>/<unit>/logs/attempt-<n>.log` (SPEC §4.1; a git run's copy under
 * `.agent/runs/<id>/<unit>/`, see run/unit-logs.ts), the latest attempt unless
 * --attempt says otherwise. The repo and namespace root come from the run's input. With --follow
 * it keeps printing while the unit runs (the file, polled, and the `progress` query for the unit's
 * status), goes on to the next attempt's log when the unit is retried, and stops once the unit
 * has ended. The logs are on the host of the worker that ran the agent: run this command there;
 * a run on many hosts (`--remote`) is read from its remote instead, from anywhere (logs-remote.ts).
 * Only the run's own bytes are printed: later runs of the unit append to the same files (SPEC §8.7).
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Plan } from '../../plan/types';
import type { ConnectionArgs } from '../connection/connection-options';
import { UsageError } from '../errors';
import type { FanoutHandle } from '../fanout-client';
import type { CommandIo, ExitCode } from '../io';
import { readRunLogs, runAttempts } from '../run/log-range';
import { withRun } from '../run/open-run';
import { readRunInput } from '../run/run-input';
import { unitLogsDir } from '../run/unit-logs';
import { remoteLogs } from './logs-remote';
import { hasEnded, neverStarted, unitStatus, type UnitState } from '../run/unit-state';

const FILE_POLL_MS = 250;
const STATUS_EVERY_POLLS = 4;

export interface LogsArgs extends ConnectionArgs {
  readonly id: string;
  readonly unit: string;
  /** As typed. */
  readonly attempt?: string;
  readonly follow?: boolean;
}

export async function run(args: LogsArgs, io: CommandIo): Promise<ExitCode> {
  const pinned = parseAttempt(args.attempt);
  return withRun(args, io, async ({ target, handle, description }) => {
    const input = await readRunInput(target.client, args.id);
    const { plan, repo } = input;
    requireUnit(plan, args.unit, args.id);
    const memoRemote = description.memo?.['git_remote'];
    const remote = typeof memoRemote === 'string' ? memoRemote : input.git?.remote;
    if (remote !== undefined) {
      const { client } = target;
      const { id: workflowId, unit: unitId } = args;
      return remoteLogs({
        client,
        handle,
        remote,
        workflowId,
        unitId,
        pinned,
        follow: args.follow === true,
        io,
      });
    }
    const logsDir = unitLogsDir(input, args.id, args.unit);
    if (!existsSync(repo)) {
      throw new UsageError(
        `the logs of run '${args.id}' are on the worker's host, in ${logsDir}; this host has no ${repo}. Run this command there`,
      );
    }
    if (args.follow === true)
      return await follow(handle, { logsDir, pinned, unitId: args.unit, workflowId: args.id, io });
    const logs = readRunLogs(logsDir, args.id);
    // Not named yet while its unit still runs: it has not launched, and the files are other runs'.
    const useIndex = logs.ranges.size > 0 || (logs.indexed && !hasEnded(await unitStatus(handle, args.unit)));
    const attempts = runAttempts(logsDir, logs, useIndex);
    const attempt = pinned ?? attempts.at(-1);
    if (attempt === undefined) {
      const status = await unitStatus(handle, args.unit);
      if (hasEnded(status)) throw neverStarted(args.id, args.unit, status ?? 'run closed');
      throw new UsageError(
        `unit '${args.unit}' has no log yet${status === undefined ? '' : ` (it is ${status})`}; ` +
          `wait for it with \`agent-fanout logs ${args.id} ${args.unit} --follow\``,
      );
    }
    const file = logFile(logsDir, attempt);
    if (!attempts.includes(attempt) || !existsSync(file)) throw noSuchAttempt(args.unit, attempt, attempts);
    const range = logs.ranges.get(attempt);
    const from = range?.from ?? 0;
    if (copyFrom(file, from, io, range?.to) === from) {
      const what = range === undefined ? `${file} is empty` : `its run's part of ${file} is empty`;
      io.stderr.write(`attempt ${attempt} of unit '${args.unit}' printed nothing (${what})\n`);
    }
    return 0;
  });
}

interface FollowInput {
  readonly logsDir: string;
  readonly pinned: number | undefined;
  readonly unitId: string;
  readonly workflowId: string;
  readonly io: CommandIo;
}

/** Prints the log as it grows until the unit has ended; then what is left, and how it ended. */
async function follow(handle: FanoutHandle, input: FollowInput): Promise<ExitCode> {
  const { logsDir, unitId, io } = input;
  let attempt: number | undefined;
  let offset = 0;
  let status: UnitState;
  let waitingSaid = false;
  for (let poll = 0; ; poll += 1) {
    if (poll % STATUS_EVERY_POLLS === 0) status = await unitStatus(handle, unitId);
    const ended = hasEnded(status);
    const { newest, endOf, startOf } = followedAttempts(input, ended);
    if (newest !== undefined && newest !== attempt && existsSync(logFile(logsDir, newest))) {
      if (attempt !== undefined) {
        offset = copyFrom(logFile(logsDir, attempt), offset, io, endOf(attempt));
        io.stderr.write(`--- ${unitId}: attempt ${newest} (${logFile(logsDir, newest)}) ---\n`);
      }
      attempt = newest;
      offset = startOf(newest);
    }
    if (attempt !== undefined) offset = copyFrom(logFile(logsDir, attempt), offset, io, endOf(attempt));
    else if (!waitingSaid && !ended) {
      io.stderr.write(
        `unit '${unitId}' has not started yet (${status ?? 'status unknown'}); waiting for its log…\n`,
      );
      waitingSaid = true;
    }
    if (ended) {
      if (attempt === undefined) throw neverStarted(input.workflowId, unitId, status ?? 'run closed');
      copyFrom(logFile(logsDir, attempt), offset, io, endOf(attempt));
      io.stderr.write(`--- ${unitId}: ${status === 'run closed' ? 'the run has ended' : status} ---\n`);
      return 0;
    }
    await new Promise((resolve) => setTimeout(resolve, FILE_POLL_MS));
  }
}

interface FollowedAttempts {
  readonly newest: number | undefined;
  readonly startOf: (attempt: number) => number;
  /** Where the run's bytes end: a later run's start, once one has launched; else undefined. */
  readonly endOf: (attempt: number) => number | undefined;
}

/**
 * The attempt to follow now and its bytes. A run the index names (or, while its unit has not
 * ended, any run once the index exists: it is named at its launch) is followed through its own
 * ranges only; a run from before the index through the whole files, as before.
 */
function followedAttempts(input: FollowInput, ended: boolean): FollowedAttempts {
  const logs = readRunLogs(input.logsDir, input.workflowId);
  const useIndex = logs.ranges.size > 0 || (logs.indexed && !ended);
  const attempts = runAttempts(input.logsDir, logs, useIndex);
  const pinned = input.pinned;
  const newest =
    pinned === undefined ? attempts.at(-1) : attempts.includes(pinned) || !useIndex ? pinned : undefined;
  return {
    newest,
    startOf: (attempt) => logs.ranges.get(attempt)?.from ?? 0,
    endOf: (attempt) => logs.ranges.get(attempt)?.to,
  };
}

/** Writes the file's bytes from `offset` on, up to `end` when given; returns the new offset. */
function copyFrom(file: string, offset: number, io: CommandIo, end?: number): number {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return offset;
  }
  if (size < offset) return 0; // truncated: start over
  const stop = end === undefined ? size : Math.min(size, end);
  if (stop <= offset) return offset;
  const buffer = Buffer.alloc(stop - offset);
  const fd = openSync(file, 'r');
  try {
    const read = readSync(fd, buffer, 0, buffer.length, offset);
    // Never split a UTF-8 character: hold back an incomplete last sequence until it is complete.
    const complete = completeUtf8Length(buffer.subarray(0, read));
    io.stdout.write(buffer.subarray(0, complete).toString('utf8'));
    return offset + complete;
  } finally {
    closeSync(fd);
  }
}

function completeUtf8Length(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back += 1) {
    const byte = bytes[bytes.length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: look further back
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

function logFile(logsDir: string, attempt: number): string {
  return path.join(logsDir, `attempt-${attempt}.log`);
}

function noSuchAttempt(unitId: string, attempt: number, have: readonly number[]): UsageError {
  return new UsageError(
    `unit '${unitId}' has no log of attempt ${attempt}` +
      (have.length === 0 ? ' (it has no logs yet)' : `; it has attempt ${have.join(', ')}`) +
      `; pass one of those to --attempt, or leave it out for the latest`,
  );
}

function requireUnit(plan: Plan, unitId: string, workflowId: string): void {
  if (plan.workUnits.some((unit) => unit.unitId === unitId)) return;
  const ids = plan.workUnits.map((unit) => unit.unitId);
  const listed = ids.length > 10 ? `${ids.slice(0, 10).join(', ')}, …` : ids.join(', ');
  throw new UsageError(
    `run '${workflowId}' has no unit '${unitId}'; its units are: ${listed} (see \`agent-fanout status ${workflowId}\`)`,
  );
}

function parseAttempt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= 1)) throw new UsageError(`--attempt must be a positive integer (got '${value}')`);
  return number;
}
