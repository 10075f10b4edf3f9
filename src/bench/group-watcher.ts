/**
 * Watches the process groups of a run's units from the bench process. A {@link GroupWatcher} reads
 * each unit's attempt record (`<repo>/<namespace_root>/<unit>/logs/attempt-1.json`, written by the
 * supervisor as soon as the agent runs) for its pgid, then probes the group every {@link POLL_MS}
 * ms with `process.kill(-pgid, 0)` until ESRCH, or until no member is left that is not a zombie
 * (the project's own meaning of "alive": a killed orphan stays a zombie until its new parent reaps
 * it, and PID 1 of a container may never do so; see src/activities/process-group.ts). Only then a
 * /proc scan looks for other members, so the probe costs next to nothing while agents run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** How often a group is probed. */
export const POLL_MS = 5;
/** How often missing attempt records are looked for. */
const RECORD_SCAN_MS = 20;

export interface WatchedGroup {
  readonly unitId: string;
  pgid?: number;
  supervisorPid?: number;
  supervisorStartTicks?: string | null;
  /** The agent's start by its record (epoch ms). */
  agentStartedMs?: number;
  /** Pids seen in the group; checked before a full /proc scan. */
  members: number[];
  goneMs?: number;
}

/** `/proc/<pid>/stat` fields after the command (field 3 on); null when the process is gone. */
function procStat(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    return close < 0 ? null : stat.slice(close + 2).split(' ');
  } catch {
    return null;
  }
}

/** fields[0] is the state (field 3), fields[2] the process group (field 5), fields[19] the start time (field 22). */
function isLiveMember(pid: number, pgid: number): boolean {
  const fields = procStat(pid);
  return fields !== null && Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X';
}

/** Every live (not zombie) member of the group, by a scan of /proc. */
export function scanGroup(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [pgid];
  }
  return entries
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => isLiveMember(pid, pgid));
}

/** True while the group has a member that is not a zombie. */
function groupAlive(group: WatchedGroup): boolean {
  const pgid = group.pgid as number;
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  if (group.members.some((pid) => isLiveMember(pid, pgid))) return true;
  group.members = scanGroup(pgid);
  return group.members.length > 0;
}

/** True while `pid` runs, is not a zombie and started at `startTicks`. */
function processAlive(pid: number, startTicks: string | null | undefined): boolean {
  const fields = procStat(pid);
  if (fields === null || fields[0] === 'Z' || fields[0] === 'X') return false;
  return startTicks === null || startTicks === undefined || fields[19] === startTicks;
}

/** Watches the process groups of a run's units from their attempt records (see the file comment). */
export class GroupWatcher {
  readonly groups: ReadonlyMap<string, WatchedGroup>;
  private stopped = false;
  private lastRecordScan = 0;
  private readonly loop: Promise<void>;

  constructor(
    private readonly recordFile: (unitId: string) => string,
    unitIds: readonly string[],
  ) {
    this.groups = new Map(unitIds.map((unitId) => [unitId, { unitId, members: [] }]));
    this.loop = this.run();
  }

  /** Reads the attempt records not read yet. */
  scanRecords(): void {
    this.lastRecordScan = Date.now();
    for (const group of this.groups.values()) {
      if (group.pgid !== undefined) continue;
      let record: {
        pgid?: unknown;
        supervisorPid?: unknown;
        supervisorStartTicks?: unknown;
        startedAtMs?: unknown;
      };
      try {
        record = JSON.parse(readFileSync(this.recordFile(group.unitId), 'utf8')) as typeof record;
      } catch {
        continue; // not written yet
      }
      if (typeof record.pgid !== 'number' || record.pgid <= 1) continue;
      group.pgid = record.pgid;
      group.members = [record.pgid];
      if (typeof record.supervisorPid === 'number') group.supervisorPid = record.supervisorPid;
      if (typeof record.supervisorStartTicks === 'string' || record.supervisorStartTicks === null)
        group.supervisorStartTicks = record.supervisorStartTicks;
      if (typeof record.startedAtMs === 'number') group.agentStartedMs = record.startedAtMs;
    }
  }

  /** Probes every group found and not gone yet. */
  probe(): void {
    for (const group of this.groups.values()) {
      if (group.pgid === undefined || group.goneMs !== undefined) continue;
      if (!groupAlive(group)) group.goneMs = Date.now();
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (Date.now() - this.lastRecordScan >= RECORD_SCAN_MS) this.scanRecords();
      this.probe();
      await delay(POLL_MS);
    }
  }

  /** Groups found and still alive. */
  alive(): WatchedGroup[] {
    return [...this.groups.values()].filter(
      (group) => group.pgid !== undefined && group.goneMs === undefined,
    );
  }

  /** Waits until every group found is gone, at most `ms`; true when they all are. */
  async waitAllGone(ms: number): Promise<boolean> {
    this.scanRecords();
    const deadline = Date.now() + ms;
    while (this.alive().length > 0 && Date.now() < deadline) await delay(POLL_MS * 4);
    return this.alive().length === 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /**
   * SIGKILLs what is still alive (groups, then supervisors that outlived their agent), after
   * waiting `ms` for supervisors. Returns what it had to kill, in words.
   */
  async killLeftovers(ms: number): Promise<string[]> {
    const left: string[] = [];
    this.probe();
    for (const group of this.alive()) {
      left.push(`unit ${group.unitId}: process group ${group.pgid} still alive`);
      try {
        process.kill(-(group.pgid as number), 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    const supervisors = [...this.groups.values()].filter((group) => group.supervisorPid !== undefined);
    const deadline = Date.now() + ms;
    const running = (): WatchedGroup[] =>
      supervisors.filter((group) => processAlive(group.supervisorPid as number, group.supervisorStartTicks));
    while (running().length > 0 && Date.now() < deadline) await delay(50);
    for (const group of running()) {
      left.push(`unit ${group.unitId}: supervisor ${group.supervisorPid} still alive`);
      try {
        process.kill(group.supervisorPid as number, 'SIGKILL');
      } catch {
        // Gone meanwhile.
      }
    }
    return left;
  }
}
