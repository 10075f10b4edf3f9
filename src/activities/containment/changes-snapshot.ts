/**
 * What a part of the repo holds, file by file, for SPEC §8.2: a walk that never follows a link
 * and records each entry's change signature (inode, size, mode, mtime, ctime), so comparing two
 * walks finds every file created, modified or deleted between them, without reading any file.
 *
 * The walk is synchronous (readdir, lstat per entry) and yields to the event loop after every
 * {@link DIRECTORIES_PER_TURN} directories: an async call per file or folder costs several times
 * more here (promise and thread-pool hops; most attempts walk a handful of folders), while a
 * turn's directories block the event loop for a few milliseconds at most.
 */

import { lstatSync, readdirSync, type Dirent, type Stats } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { join } from 'node:path';
import { DirectorySet } from '../../plan/out-of-bounds';

/** Repo-relative path → change signature, for every non-directory entry under the roots. */
export type FileSignatures = Map<string, string>;

export interface SnapshotScope {
  /** Real path of the repo. */
  readonly repo: string;
  /** Repo-relative roots to walk (normalized; '' is the whole repo); missing ones hold nothing. */
  readonly roots: readonly string[];
  /** Repo-relative directories never walked (the namespace root, `.git`, `.agent`). */
  readonly excluded: ReadonlySet<string>;
}

export interface FileSnapshot {
  readonly signatures: FileSignatures;
  /** Every directory walked (repo-relative; '' for the repo) → its inode. */
  readonly directories: Map<string, number>;
  /** The latest mtime or ctime seen, in ms; 0 when nothing was there. */
  readonly newestChangeMs: number;
}

/** The entry's lstat, or undefined when it is gone (also when a folder on its path became a file). */
function lstatOrNone(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

function signatureOf(stats: Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mode}:${stats.mtimeMs}:${stats.ctimeMs}`;
}

/** Directories a walk lists before it lets the event loop run. */
const DIRECTORIES_PER_TURN = 32;

function entriesOf(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Walks the scope's roots and records every file (and link, FIFO, ...) in it. */
export async function takeSnapshot(scope: SnapshotScope): Promise<FileSnapshot> {
  const signatures: FileSignatures = new Map();
  const directories = new Map<string, number>();
  let newestChangeMs = 0;
  const record = (relative: string, stats: Stats): void => {
    signatures.set(relative, signatureOf(stats));
    newestChangeMs = Math.max(newestChangeMs, stats.mtimeMs, stats.ctimeMs);
  };
  const pending: string[] = [];
  for (const root of scope.roots) {
    if (scope.excluded.has(root)) continue;
    const stats = lstatOrNone(join(scope.repo, root));
    if (stats === undefined) continue;
    if (stats.isDirectory()) pending.push(root);
    else record(root, stats);
  }
  let walked = 0;
  while (pending.length > 0) {
    const dir = pending.pop() as string;
    const dirStats = lstatOrNone(join(scope.repo, dir));
    if (!dirStats?.isDirectory()) continue;
    directories.set(dir, dirStats.ino);
    walked += 1;
    if (walked % DIRECTORIES_PER_TURN === 0) await nextTurn();
    const entries = entriesOf(join(scope.repo, dir));
    for (const entry of entries) {
      const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!scope.excluded.has(relative)) pending.push(relative);
        continue;
      }
      const stats = lstatOrNone(join(scope.repo, relative));
      if (stats !== undefined) record(relative, stats);
    }
  }
  return { signatures, directories, newestChangeMs };
}

export interface SignatureDiff {
  readonly added: string[];
  readonly modified: string[];
  readonly deleted: string[];
}

/** What differs between two walks of the same scope. */
export function diffSignatures(before: FileSignatures, after: FileSignatures): SignatureDiff {
  const diff: SignatureDiff = { added: [], modified: [], deleted: [] };
  for (const [path, signature] of after) {
    const earlier = before.get(path);
    if (earlier === undefined) diff.added.push(path);
    else if (earlier !== signature) diff.modified.push(path);
  }
  for (const path of before.keys()) if (!after.has(path)) diff.deleted.push(path);
  return diff;
}

/**
 * The same difference as walking the scope again, looking only at `touched` (names an inotify
 * watch reported, see changes-watch.ts): each is stat'ed; a folder that is new or was replaced is
 * walked whole; the files a vanished or replaced folder held are compared as well.
 */
export async function diffTouched(
  scope: SnapshotScope,
  before: FileSnapshot,
  touched: ReadonlySet<string>,
): Promise<SignatureDiff> {
  const after: FileSignatures = new Map();
  const judged = new Set<string>();
  const rewalked: string[] = [];
  const roots = new DirectorySet(scope.roots);
  const wholeRepo = scope.roots.includes('');
  for (const path of touched) {
    if (!wholeRepo && !roots.contains(path)) {
      // Above the roots (a root that did not exist yet): walk the roots that may now be below it.
      const below = scope.roots.filter((root) => root.startsWith(`${path}/`));
      rewalked.push(...below);
      for (const [file, signature] of (await takeSnapshot({ ...scope, roots: below })).signatures) {
        after.set(file, signature);
        judged.add(file);
      }
      continue;
    }
    const stats = lstatOrNone(join(scope.repo, path));
    const folderBefore = before.directories.get(path);
    if (stats?.isDirectory() && folderBefore === stats.ino) continue; // watched itself
    if (folderBefore !== undefined) rewalked.push(path); // gone or replaced: its old files are judged
    if (stats?.isDirectory()) {
      rewalked.push(path);
      for (const [file, signature] of (await takeSnapshot({ ...scope, roots: [path] })).signatures) {
        after.set(file, signature);
        judged.add(file);
      }
    } else {
      if (stats !== undefined) after.set(path, signatureOf(stats));
      judged.add(path);
    }
  }
  if (rewalked.length > 0) {
    const folders = new DirectorySet(rewalked);
    for (const file of before.signatures.keys()) if (folders.contains(file)) judged.add(file);
  }
  const diff: SignatureDiff = { added: [], modified: [], deleted: [] };
  const excluded = new DirectorySet(scope.excluded);
  for (const path of judged) {
    if ((!wholeRepo && !roots.contains(path)) || excluded.contains(path)) continue;
    const earlier = before.signatures.get(path);
    const now = after.get(path);
    if (earlier === undefined && now !== undefined) diff.added.push(path);
    else if (earlier !== undefined && now === undefined) diff.deleted.push(path);
    else if (earlier !== now) diff.modified.push(path);
  }
  return diff;
}

/**
 * The folders to watch for a snapshot: every folder walked, and for a root that did not exist,
 * the nearest folder above it that did (so its creation is seen).
 */
export function foldersToWatch(scope: SnapshotScope, before: FileSnapshot): Set<string> {
  const folders = new Set(before.directories.keys());
  for (const root of scope.roots) {
    if (before.directories.has(root) || before.signatures.has(root)) continue;
    let above = root;
    do {
      above = above.includes('/') ? above.slice(0, above.lastIndexOf('/')) : '';
    } while (above !== '' && !lstatOrNone(join(scope.repo, above))?.isDirectory());
    folders.add(above);
  }
  return folders;
}
