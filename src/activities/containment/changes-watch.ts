/**
 * A shortcut for SPEC §8.2's second walk: inotify watches (fs.watch) on every directory of the
 * snapshot collect the names touched while the agent runs, so afterwards only those are looked
 * at, not every file of the unit's area (10,000 lstat calls cost 60 ms of CPU here).
 *
 * It is only a shortcut: whenever it cannot vouch for having seen everything, the caller walks
 * the whole scope again. That is when a watch could not be set (the inotify watch limit), a
 * watcher failed or reported no name, its events did not settle (below), or more events went
 * through this process's inotify queue during the attempt than the queue holds: libuv drops the
 * kernel's overflow notice, so a burst that large is taken as a possible loss.
 *
 * Settling: once the agent has ended, one of this process's settle marks is renamed
 * (settle-marks.ts). One process shares one inotify queue, which keeps order, so when the rename's
 * event arrives every event of the agent's writes has arrived before it.
 */

import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { processSettleMarks } from './settle-marks';

/** Events this process received from all its watches; compared at start and end of each tracker. */
let processEvents = 0;

/** A burst of this many events during one attempt may have overflowed the kernel queue. */
const SUSPECT_BURST = Math.floor(queueLimit() / 4);
/** More touched names than this: walking everything again is as cheap and needs no bookkeeping. */
const MAX_TOUCHED = 5_000;
const SETTLE_TIMEOUT_MS = 2_000;

function queueLimit(): number {
  try {
    return Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8').trim()) || 16_384;
  } catch {
    return 16_384;
  }
}

export class TouchedNames {
  /** Repo-relative paths named by an event: created, deleted, moved, written or re-attributed. */
  readonly touched = new Set<string>();
  private readonly watchers: FSWatcher[] = [];
  private failed = false;
  private readonly startEvents = processEvents;

  private constructor() {}

  /** Watches `directories` (repo-relative). */
  static start(repo: string, directories: Iterable<string>): TouchedNames {
    const names = new TouchedNames();
    try {
      for (const dir of directories) names.watchDirectory(join(repo, dir), dir);
    } catch {
      names.failed = true;
      names.close();
    }
    return names;
  }

  private watchDirectory(absolute: string, relative: string): void {
    const watcher = watch(absolute, { persistent: false }, (_event, name) => {
      processEvents += 1;
      if (name === null) this.failed = true;
      else this.touched.add(relative === '' ? name : `${relative}/${name}`);
    });
    watcher.on('error', () => (this.failed = true));
    this.watchers.push(watcher);
  }

  /**
   * Waits until every event from before this call has arrived, then stops watching. Returns the
   * touched names, or null when they cannot be trusted and everything must be walked again.
   */
  async settle(): Promise<ReadonlySet<string> | null> {
    if (this.failed) return null;
    try {
      const marks = processSettleMarks(() => (processEvents += 1));
      if (!(await marks.pass(SETTLE_TIMEOUT_MS))) this.failed = true;
    } catch {
      this.failed = true;
    } finally {
      this.close();
    }
    const burst = processEvents - this.startEvents;
    if (this.failed || burst >= SUSPECT_BURST || this.touched.size > MAX_TOUCHED) return null;
    return this.touched;
  }

  close(): void {
    for (const watcher of this.watchers.splice(0)) watcher.close();
  }
}
