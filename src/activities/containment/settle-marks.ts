/**
 * How the watch shortcut (changes-watch.ts) knows every event of an agent's writes has arrived:
 * it renames a file of its own and waits for that rename's event. All of a process's watches share
 * one inotify queue, which keeps order, so once the rename's event is in, every earlier event is.
 *
 * The files live in one folder per worker process (under the temporary folder, watched for the
 * process's life) and are renamed, never created or removed, per attempt: on an ext4 without a
 * journal, each new inode costs 0.2 to 0.9 ms of kernel CPU (docs/performance.md). A rename's new
 * name is random, so no other process can send the event before the rename happened. The pool
 * holds as many files as settles ever ran at once in this process.
 */

import { randomBytes } from 'node:crypto';
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  watch,
  writeFileSync,
  type FSWatcher,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pidInUse } from '../agent/process-group';

const FOLDER_PREFIX = 'agent-fanout-settle-';

export class SettleMarks {
  private readonly free: string[] = [];
  private readonly waiting = new Map<string, (seen: boolean) => void>();
  private broken = false;

  private constructor(
    readonly folder: string,
    private readonly identity: FolderIdentity,
    private readonly watcher: FSWatcher,
  ) {}

  /** A watched folder of marks; `onEvent` counts each event of the shared queue. Throws when it cannot watch. */
  static open(onEvent: () => void): SettleMarks {
    removeFoldersOfEndedProcesses();
    const folder = mkdtempSync(join(tmpdir(), `${FOLDER_PREFIX}${process.pid}-`));
    let marks: SettleMarks | undefined;
    try {
      const watcher = watch(folder, { persistent: false }, (_event, name) => {
        onEvent();
        if (name !== null) marks?.arrived(name);
      });
      marks = new SettleMarks(folder, identityOf(folder), watcher);
      watcher.on('error', () => marks?.close());
      return marks;
    } catch (error) {
      rmSync(folder, { recursive: true, force: true });
      throw error;
    }
  }

  /** False once its folder or its watch failed: open another. */
  get usable(): boolean {
    return !this.broken;
  }

  /**
   * Renames a mark to a new random name and resolves true once that rename's event arrived, false
   * when it did not within `timeoutMs` or the rename failed.
   */
  async pass(timeoutMs: number): Promise<boolean> {
    if (this.broken) return false;
    const next = randomName();
    let timer: NodeJS.Timeout | undefined;
    const seen = new Promise<boolean>((resolve) => {
      this.waiting.set(next, resolve);
      timer = setTimeout(() => resolve(false), timeoutMs);
      timer.unref();
    });
    try {
      // The folder lies outside the repo, where an agent may write: never through a link it put there.
      if (!sameFolder(this.folder, this.identity)) throw new Error('settle folder replaced');
      const current = this.free.pop();
      if (current === undefined) writeFileSync(join(this.folder, next), '', { flag: 'wx' });
      else renameSync(join(this.folder, current), join(this.folder, next));
    } catch {
      this.waiting.delete(next);
      clearTimeout(timer);
      this.close();
      return false;
    }
    const arrived = await seen;
    clearTimeout(timer);
    this.waiting.delete(next);
    this.free.push(next);
    return arrived;
  }

  /** Stops watching and removes the folder. */
  close(): void {
    this.broken = true;
    this.watcher.close();
    for (const resolve of this.waiting.values()) resolve(false);
    this.waiting.clear();
    // What now stands at its path is someone else's (a link, say): left alone.
    if (sameFolder(this.folder, this.identity)) rmSync(this.folder, { recursive: true, force: true });
  }

  private arrived(name: string): void {
    this.waiting.get(name)?.(true);
  }
}

interface FolderIdentity {
  readonly dev: number;
  readonly ino: number;
}

function identityOf(folder: string): FolderIdentity {
  const { dev, ino } = lstatSync(folder);
  return { dev, ino };
}

function sameFolder(folder: string, identity: FolderIdentity): boolean {
  try {
    const now = lstatSync(folder);
    return now.isDirectory() && now.dev === identity.dev && now.ino === identity.ino;
  } catch {
    return false;
  }
}

let shared: SettleMarks | undefined;

/** This process's marks, opened on first use (and again after a failure); removed when the process exits. */
export function processSettleMarks(onEvent: () => void): SettleMarks {
  if (shared?.usable === true) return shared;
  const marks = SettleMarks.open(onEvent);
  if (shared === undefined) process.once('exit', () => shared?.close());
  shared = marks;
  return marks;
}

function randomName(): string {
  return randomBytes(9).toString('base64url');
}

/** Folders left by worker processes that were killed (no exit handler ran); those of live ones stay. */
function removeFoldersOfEndedProcesses(): void {
  let entries: string[];
  try {
    entries = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const entry of entries) {
    if (!entry.startsWith(FOLDER_PREFIX)) continue;
    const pid = Number(entry.slice(FOLDER_PREFIX.length).split('-')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || pidInUse(pid)) continue;
    rmSync(join(tmpdir(), entry), { recursive: true, force: true });
  }
}
