/**
 * `agent-fanout list`: recent runs, newest first, with plan, status, units done, start and
 * duration, from Temporal visibility. Runs are found by workflow type and filtered by the search
 * attributes the client sets at start (`src/contracts/search-attributes.ts`); a run started on a
 * server that lacked them still shows, with what its memo says.
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { WorkflowExecutionInfo } from '@temporalio/client';
import {
  FANOUT_PLAN,
  FANOUT_REPO,
  FANOUT_UNITS_DONE,
  FANOUT_UNITS_TOTAL,
} from '../../contracts/search-attributes';
import type { ConnectionArgs } from '../connection/connection-options';
import { resolveConnection } from '../connection/connection-options';
import { UsageError } from '../errors';
import { connectClient } from '../fanout-client';
import type { CommandIo, ExitCode } from '../io';
import { clock } from '../live/ansi';
import { formatColumns } from '../output/text-table';

export interface ListArgs extends ConnectionArgs {
  readonly status?: string;
  readonly plan?: string;
  readonly repo?: string;
  /** As typed; default 20. */
  readonly limit?: string;
  readonly json?: boolean;
}

/** `--status` values and the execution status each stands for in a visibility query. */
const STATUS_QUERIES: Readonly<Record<string, string>> = {
  running: 'Running',
  succeeded: 'Completed',
  failed: 'Failed',
  cancelled: 'Canceled',
  terminated: 'Terminated',
  'timed-out': 'TimedOut',
};

const STATUS_WORDS: Readonly<Record<string, string>> = {
  RUNNING: 'running',
  COMPLETED: 'succeeded',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed-out',
};

export interface ListedRun {
  readonly workflow_id: string;
  readonly run_id: string;
  readonly plan: string | null;
  readonly repo: string | null;
  readonly status: string;
  readonly units_done: number | null;
  readonly units_total: number | null;
  readonly started_at: string;
  readonly closed_at: string | null;
  readonly duration_ms: number;
}

export async function run(args: ListArgs, io: CommandIo): Promise<ExitCode> {
  const query = listQuery(args, io.cwd);
  const limit = parseLimit(args.limit);
  const client = await connectClient(resolveConnection(args, io));
  try {
    const runs: ListedRun[] = [];
    for await (const execution of client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
      runs.push(listedRun(execution, Date.now()));
      if (runs.length >= limit) break;
    }
    io.stdout.write(args.json === true ? `${JSON.stringify(runs, null, 2)}\n` : formatRuns(runs));
    return 0;
  } finally {
    await client.connection.close();
  }
}

/** The visibility query for the flags: every fan-out run's latest execution, filtered. */
export function listQuery(args: Pick<ListArgs, 'status' | 'plan' | 'repo'>, cwd: string): string {
  const clauses = ["WorkflowType = 'fanoutWorkflow'", "ExecutionStatus != 'ContinuedAsNew'"];
  if (args.status !== undefined) {
    const status = STATUS_QUERIES[args.status];
    if (status === undefined)
      throw new UsageError(
        `--status ${args.status} is not a run status; use one of ${Object.keys(STATUS_QUERIES).join(', ')}`,
      );
    clauses.push(`ExecutionStatus = '${status}'`);
  }
  if (args.plan !== undefined) clauses.push(`${FANOUT_PLAN.name} = ${quoted(args.plan)}`);
  if (args.repo !== undefined) clauses.push(`${FANOUT_REPO.name} = ${quoted(repoPath(args.repo, cwd))}`);
  return clauses.join(' AND ');
}

/** As `run` records it: absolute, symbolic links resolved. */
function repoPath(repo: string, cwd: string): string {
  const path = resolve(cwd, repo);
  return existsSync(path) ? realpathSync(path) : path;
}

/** A string literal of the visibility query language. */
function quoted(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return 20;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new UsageError(`--limit must be an integer from 1 to 1000 (got '${text}')`);
  return limit;
}

function listedRun(execution: WorkflowExecutionInfo, nowMs: number): ListedRun {
  const attributes = execution.typedSearchAttributes;
  const memo = execution.memo ?? {};
  const memoText = (key: string) => (typeof memo[key] === 'string' ? memo[key] : null);
  const startMs = execution.startTime.getTime();
  const closeMs = execution.closeTime?.getTime();
  return {
    workflow_id: execution.workflowId,
    run_id: execution.runId,
    plan: attributes.get(FANOUT_PLAN) ?? memoText('plan_name'),
    repo: attributes.get(FANOUT_REPO) ?? memoText('repo'),
    status: STATUS_WORDS[execution.status.name] ?? execution.status.name.toLowerCase(),
    units_done: attributes.get(FANOUT_UNITS_DONE) ?? null,
    units_total:
      attributes.get(FANOUT_UNITS_TOTAL) ?? (typeof memo['units'] === 'number' ? memo['units'] : null),
    started_at: execution.startTime.toISOString(),
    closed_at: execution.closeTime?.toISOString() ?? null,
    duration_ms: (closeMs ?? nowMs) - startMs,
  };
}

function formatRuns(runs: readonly ListedRun[]): string {
  if (runs.length === 0) return 'No runs found. Start one with agent-fanout run <plan>.\n';
  const rows = runs.map((run) => [
    run.workflow_id,
    run.plan ?? '-',
    run.status,
    `${run.units_done ?? '?'}/${run.units_total ?? '?'}`,
    run.started_at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    clock(run.duration_ms),
    run.repo ?? '-',
  ]);
  const header = ['RUN', 'PLAN', 'STATUS', 'UNITS', 'STARTED (UTC)', 'TOOK', 'REPO'];
  return `${formatColumns(header, rows).join('\n')}\n`;
}
