/**
 * `logs/attempt-<n>.json`: what a later worker needs to find a running agent again after this
 * worker died (SPEC §4.4 adoption): pid, process group, the process start time (guards against
 * pid reuse), the log and its start offset, the evidence snapshot taken before the start, and who
 * the attempt belongs to. The agent supervisor (bin/agent-supervisor.pl, or .js where no perl runs)
 * writes it, atomically, as soon as the agent runs and before anyone learns its pid.
 */

import { readFile, readlink } from 'node:fs/promises';
import type { ConfinementMode } from '../../plan/types';
import type { ArtifactSnapshot } from '../unit-files/evidence';
import { parseProcStat } from './process-group';

/** The activity an attempt record belongs to: only a retry of that activity may adopt its agent. */
export interface AttemptOwner {
  /** The fan-out run's workflow id. */
  readonly workflowId: string;
  /** The workflow execution's run id: a rerun under the same workflow id is another owner. */
  readonly workflowRunId: string;
  readonly activityId: string;
}

export interface AttemptRecord {
  readonly version: 1;
  readonly attempt: number;
  readonly pid: number;
  readonly pgid: number;
  /** Field 22 of `/proc/<pid>/stat` (clock ticks after boot); null where unreadable. */
  readonly processStartTicks: string | null;
  readonly argv: readonly string[];
  readonly logPath: string;
  /** Log size before the agent started: its output of this attempt begins here. */
  readonly logOffset: number;
  readonly startedAt: string;
  readonly startedAtMs: number;
  readonly artifactsBefore: ArtifactSnapshot;
  /** Random per launch; the exit file of this launch carries the same id. */
  readonly launchId: string;
  readonly owner: AttemptOwner;
  /** The kernel's boot id at the launch: after a reboot no pid of the record means anything. */
  readonly bootId: string | null;
  /** The launching worker's pid namespace (`/proc/self/ns/pid`): pids mean nothing in another container. */
  readonly pidNamespace: string | null;
  /** `<pid>@<host>` of the worker that launched the agent (the SDK's default worker identity). */
  readonly worker: string;
  /** `logs/attempt-<n>.exit.json`, written by the supervisor when the agent ends. */
  readonly exitPath: string;
  readonly supervisorPid: number;
  readonly supervisorStartTicks: string | null;
  /** The confinement the agent was started under (SPEC §8.1); absent in records before it. */
  readonly confinement?: ConfinementMode;
}

/** What the worker hands the supervisor; the supervisor adds the pids and start times. */
export type AttemptRecordTemplate = Omit<
  AttemptRecord,
  'pid' | 'pgid' | 'processStartTicks' | 'supervisorPid' | 'supervisorStartTicks'
>;

/** Fields a record must have to be adopted from (older records lack some). */
const ADOPTION_FIELDS = ['launchId', 'owner', 'exitPath', 'processStartTicks', 'pid', 'pgid', 'startedAtMs'];

/** The start time of `pid` from `/proc/<pid>/stat` field 22, or null. */
export async function readProcessStartTicks(pid: number): Promise<string | null> {
  try {
    // parseProcStat starts at field 3, so field 22 is index 19.
    return parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'))?.[19] ?? null;
  } catch {
    return null;
  }
}

/** Where pids mean something: this boot of the kernel and this pid namespace (null where unreadable). */
export interface PidScope {
  readonly bootId: string | null;
  readonly pidNamespace: string | null;
}

let pidScope: Promise<PidScope> | undefined;

/** Read once per process: neither the boot nor this process's pid namespace changes under it. */
export function readPidScope(): Promise<PidScope> {
  pidScope ??= readPidScopeNow();
  return pidScope;
}

async function readPidScopeNow(): Promise<PidScope> {
  const bootId = await readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
    (text) => text.trim() || null,
    () => null,
  );
  const pidNamespace = await readlink('/proc/self/ns/pid').catch(() => null);
  return { bootId, pidNamespace };
}

/** False when the pids of `recorded` belong to another boot or another pid namespace. */
function sameScope(recorded: PidScope, current: PidScope): boolean {
  const differs = (a: string | null, b: string | null): boolean => a !== null && b !== null && a !== b;
  return !differs(recorded.bootId, current.bootId) && !differs(recorded.pidNamespace, current.pidNamespace);
}

export async function readAttemptRecord(path: string): Promise<AttemptRecord | null> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as AttemptRecord;
  } catch {
    return null;
  }
}

/** True when the record carries everything adoption relies on. */
export function isAdoptableRecord(record: AttemptRecord): boolean {
  const fields = record as unknown as Record<string, unknown>;
  return ADOPTION_FIELDS.every((field) => fields[field] !== undefined && fields[field] !== null);
}

export function sameOwner(a: AttemptOwner, b: AttemptOwner): boolean {
  return (
    a.workflowId === b.workflowId && a.workflowRunId === b.workflowRunId && a.activityId === b.activityId
  );
}

/**
 * What became of a recorded process:
 * - `alive`: the pid runs, is not a zombie, and started at the recorded time;
 * - `exited`: no such pid, or the recorded process is a zombie;
 * - `reused`: the pid belongs to another process now (another start time, another boot, another
 *   pid namespace), or the record cannot prove it is the same process: never adopt it, never
 *   signal it.
 */
export type RecordedProcessState = 'alive' | 'exited' | 'reused';

export async function recordedProcessState(
  pid: number,
  startTicks: string | null,
  recordedScope: PidScope,
): Promise<RecordedProcessState> {
  if (!sameScope(recordedScope, await readPidScope())) return 'reused';
  let fields: string[] | null;
  try {
    fields = parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return 'exited';
  }
  if (fields === null || startTicks === null || fields[19] !== startTicks) return 'reused';
  // fields[0] is the state (stat field 3).
  return fields[0] === 'Z' || fields[0] === 'X' ? 'exited' : 'alive';
}
