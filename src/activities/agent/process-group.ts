/**
 * The one way agent-fanout stops an agent: its whole process group, on the worker host that
 * started it. Cancellation, timeout, idle timeout and leftover cleanup all call
 * {@link stopProcessGroup}; SPEC §4.1 requires that nothing of the group outlives the attempt.
 *
 * "Alive" means a member that is not a zombie: a killed orphan stays a zombie until its new
 * parent (often PID 1) reaps it, and it can no longer do anything.
 */

import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';

/** What {@link stopProcessGroup} did, for logs and history. */
export interface StopReport {
  readonly pgid: number;
  readonly signals: readonly ('SIGTERM' | 'SIGKILL')[];
  /** False only when the group survived SIGKILL for {@link STOP_GIVE_UP_MS}. */
  readonly gone: boolean;
  readonly elapsedMs: number;
}

/** Poll interval while waiting for the group to go. */
export const STOP_POLL_MS = 50;
/** After SIGKILL, how long to keep waiting (re-sending it each second) before reporting failure. */
export const STOP_GIVE_UP_MS = 30_000;

/** Whether some process, a zombie included, holds `pid` (`kill(pid, 0)`; EPERM: it exists, not ours). */
export function pidInUse(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Refuses 0, 1 and negatives: `kill(-0)` and `kill(-1)` would hit our own group or everyone. */
function isSafePgid(pgid: number): boolean {
  return Number.isInteger(pgid) && pgid > 1;
}

function signalGroup(pgid: number, signal: NodeJS.Signals | 0): 'sent' | 'gone' | 'denied' {
  try {
    process.kill(-pgid, signal);
    return 'sent';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? 'gone' : 'denied';
  }
}

/** Fields of `/proc/<pid>/stat` after the command name, which may itself contain spaces. */
export function parseProcStat(stat: string): string[] | null {
  const close = stat.lastIndexOf(')');
  return close < 0 ? null : stat.slice(close + 2).split(' ');
}

/** The live member found last per group: checked first next time, to spare a full /proc scan. */
const lastLiveMember = new Map<number, string>();

/** True when some member of the group exists and is not a zombie. Never throws. */
export async function isGroupAlive(pgid: number): Promise<boolean> {
  if (!isSafePgid(pgid)) return false;
  const probe = signalGroup(pgid, 0);
  if (probe !== 'sent') {
    lastLiveMember.delete(pgid);
    return probe === 'denied';
  }
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return true; // no /proc: the signal probe is all we have
  }
  // The last live member, then the leader, then everyone.
  const first = [lastLiveMember.get(pgid), String(pgid)].filter((pid): pid is string => pid !== undefined);
  const candidates = [...first, ...entries.filter((entry) => !first.includes(entry) && /^\d+$/.test(entry))];
  for (const pid of candidates) {
    if (await isLiveMember(pid, pgid)) {
      lastLiveMember.set(pgid, pid);
      return true;
    }
  }
  lastLiveMember.delete(pgid);
  return false;
}

async function isLiveMember(pid: string, pgid: number): Promise<boolean> {
  let fields: string[] | null;
  try {
    fields = parseProcStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false; // exited meanwhile
  }
  // fields[0] is the state (stat field 3), fields[2] the process group (field 5).
  return fields !== null && Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X';
}

async function waitUntilGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!(await isGroupAlive(pgid))) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await delay(Math.min(STOP_POLL_MS, left));
  }
}

/**
 * Sends SIGTERM to the group `-pgid`, waits up to `graceMs` for it to go, then SIGKILL, and
 * resolves once no live member is left. Never throws; a group that is already gone is a no-op.
 */
export async function stopProcessGroup(pgid: number, graceMs: number): Promise<StopReport> {
  const started = Date.now();
  const signals: ('SIGTERM' | 'SIGKILL')[] = [];
  const report = (gone: boolean): StopReport => ({ pgid, signals, gone, elapsedMs: Date.now() - started });

  if (!(await isGroupAlive(pgid))) return report(true);
  signals.push('SIGTERM');
  if (signalGroup(pgid, 'SIGTERM') === 'gone') return report(true);
  if (await waitUntilGone(pgid, Math.max(0, graceMs))) return report(true);

  const giveUpAt = Date.now() + STOP_GIVE_UP_MS;
  while (Date.now() < giveUpAt) {
    signals.push('SIGKILL');
    if (signalGroup(pgid, 'SIGKILL') === 'gone') return report(true);
    if (await waitUntilGone(pgid, Math.min(1000, giveUpAt - Date.now()))) return report(true);
  }
  return report(false);
}
