/**
 * Writes that never go through a symbolic link (SPEC §8.4). Every file agent-fanout writes under
 * the repo (namespace folders, manifest, prompt, run store, summary, result files) goes through
 * here: each component of the path below the repo root is checked with lstat (folders are made
 * one at a time, never with a recursive mkdir that would follow a link), and the file itself is
 * opened with O_NOFOLLOW, a temporary file also with O_EXCL. A link met on the way is refused
 * with {@link SymbolicLinkRefused}; nothing is written, inside the repo or out of it.
 *
 * The folder checks, folder making and small in-place writes call the synchronous fs functions:
 * each is a few microseconds on a local disk, while a thread-pool round trip costs a tenth of a
 * millisecond or more on a busy worker, and a launch makes about fifteen of them in a row (issue 18).
 *
 * Reads of evidence go through {@link hashWithoutFollowing}: the hash comes from the very file
 * descriptor that was opened without following a link, so a file swapped for a link after it
 * was listed does not count.
 */

import {
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  read,
  readSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { open, rename, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { symbolicLinkRefused } from '../agent/messages';

/** A path agent-fanout was about to write through is (or passes through) a symbolic link. */
export class SymbolicLinkRefused extends Error {
  constructor(readonly linkPath: string) {
    super(symbolicLinkRefused(linkPath));
    this.name = 'SymbolicLinkRefused';
  }
}

/**
 * O_NONBLOCK: a FIFO an agent left where agent-fanout writes (a retry's prompt, say) fails the open
 * with ENXIO instead of blocking it for good; these opens are synchronous, so it would block the
 * whole worker. A regular file ignores the flag.
 */
/**
 * No O_TRUNC: a rewrite (the manifest after the attempt, a retry's prompt) writes over the old bytes
 * and then cuts the file to the new length. On ext4 that keeps the file's block, where truncating
 * first frees it and allocates another: about 45 µs against 10 (issue 18).
 */
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const TEMPORARY_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const APPEND_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;
/** O_NONBLOCK: opening a FIFO put in place of an evidence file must not hang the attempt. */
const HASH_FLAGS = READ_FLAGS | constants.O_NONBLOCK;
const HASH_CHUNK_BYTES = 64 * 1024;
/**
 * The first this many bytes of an evidence file are read synchronously (most evidence is far
 * smaller); the rest in thread-pool reads, so hashing a large file never holds the worker up.
 */
const HASH_SYNC_BYTES = 1024 * 1024;
const readChunk = promisify(read);

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** The components of `path` below `repo`, shortest first: `a`, `a/b`, `a/b/c` as absolute paths. */
function componentsBelow(repo: string, path: string): string[] {
  const below = relative(repo, path);
  if (below === '' || below.startsWith('..') || below.startsWith('/')) {
    throw new Error(`${path} is not inside the repo ${repo}; agent-fanout writes only there`);
  }
  const segments = below.split('/');
  return segments.map((_, index) => join(repo, ...segments.slice(0, index + 1)));
}

/**
 * Folders below the repo already checked (or made) as real folders, not links, by one step that
 * writes several files in the same place (the namespace's preparation): each is checked once per
 * step, not once per file. Never kept beyond that step.
 */
export type CheckedFolders = Map<string, 'made' | 'found'>;

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Refuses when any existing component of `path` below `repo` is a symbolic link; components that
 * do not exist yet are fine (they are made by {@link makeDirectories} or the write itself).
 */
export async function refuseLinks(repo: string, path: string, checked?: CheckedFolders): Promise<void> {
  refuseLinksNow(repo, path, checked);
  return Promise.resolve();
}

function refuseLinksNow(repo: string, path: string, checked?: CheckedFolders): void {
  for (const component of componentsBelow(repo, path)) {
    if (checked?.has(component)) continue;
    const stats = lstatOrNull(component);
    if (stats === null) return;
    if (stats.isSymbolicLink()) throw new SymbolicLinkRefused(component);
  }
}

/**
 * `mkdir -p` below `repo`, one component at a time, refusing a link at any of them. A folder this
 * call made is no link, and neither can be what a successful mkdir inside it makes, so only a
 * component that already existed (or was made meanwhile by a sibling: EEXIST) is looked at.
 */
export async function makeDirectories(repo: string, dir: string, checked?: CheckedFolders): Promise<void> {
  makeDirectoriesNow(repo, dir, checked);
  return Promise.resolve();
}

function makeDirectoriesNow(repo: string, dir: string, checked?: CheckedFolders): void {
  let parentIsNew = false;
  for (const component of componentsBelow(repo, dir)) {
    const known = checked?.get(component);
    if (known !== undefined) {
      parentIsNew = known === 'made';
      continue;
    }
    const stats = parentIsNew ? null : lstatOrNull(component);
    if (stats?.isSymbolicLink()) throw new SymbolicLinkRefused(component);
    parentIsNew = false;
    if (stats === null) {
      parentIsNew = madeFolder(component);
      if (!parentIsNew && lstatSync(component).isSymbolicLink()) throw new SymbolicLinkRefused(component);
    }
    checked?.set(component, parentIsNew ? 'made' : 'found');
  }
}

/** True when mkdir made the folder, false when something was there already (EEXIST). */
function madeFolder(path: string): boolean {
  try {
    mkdirSync(path);
    return true;
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    return false;
  }
}

function openRefusingLinkNow(file: string, flags: number): number {
  try {
    return openSync(file, flags, 0o644);
  } catch (error) {
    if (errorCode(error) === 'ELOOP') throw new SymbolicLinkRefused(file);
    throw error;
  }
}

async function openRefusingLink(file: string, flags: number): Promise<FileHandle> {
  try {
    return await open(file, flags, 0o644);
  } catch (error) {
    if (errorCode(error) === 'ELOOP') throw new SymbolicLinkRefused(file);
    throw error;
  }
}

function parentOf(repo: string, file: string, checked?: CheckedFolders): void {
  const components = componentsBelow(repo, file);
  const parent = components.at(-2);
  if (parent !== undefined) makeDirectoriesNow(repo, parent, checked);
}

/** Writes `file` (under `repo`) in place: its folders made safely, the file opened with O_NOFOLLOW. */
export async function writeFileNoFollow(
  repo: string,
  file: string,
  data: string | Uint8Array,
  checked?: CheckedFolders,
): Promise<void> {
  writeNow(repo, file, data, WRITE_FLAGS, checked);
  return Promise.resolve();
}

/** Appends `data` to `file` (under `repo`), made if missing, never through a link. */
export async function appendFileNoFollow(
  repo: string,
  file: string,
  data: string | Uint8Array,
  checked?: CheckedFolders,
): Promise<void> {
  writeNow(repo, file, data, APPEND_FLAGS, checked);
  return Promise.resolve();
}

function writeNow(
  repo: string,
  file: string,
  data: string | Uint8Array,
  flags: number,
  checked?: CheckedFolders,
): void {
  parentOf(repo, file, checked);
  const fd = openRefusingLinkNow(file, flags);
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    writeFileSync(fd, bytes);
    if (flags === WRITE_FLAGS) ftruncateSync(fd, bytes.byteLength);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `file` (under `repo`) atomically: a fresh temporary file beside it (O_EXCL, O_NOFOLLOW),
 * then a rename over it. A link at `file` itself is refused, not replaced.
 */
export async function writeFileAtomically(
  repo: string,
  file: string,
  data: string | Uint8Array,
): Promise<void> {
  parentOf(repo, file);
  await refuseLinks(repo, file);
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const handle = await openRefusingLink(temporary, TEMPORARY_FLAGS);
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
  await rename(temporary, file);
}

/** Reads a whole file without following a link at its last component. */
export async function readFileNoFollow(file: string): Promise<Buffer> {
  const handle = await openRefusingLink(file, READ_FLAGS);
  try {
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/**
 * sha256 and size of a regular file, read from a descriptor opened without following a link;
 * null when the path is a link, not a regular file, or gone.
 */
export async function hashWithoutFollowing(file: string): Promise<{ sha256: string; size: number } | null> {
  let fd: number;
  try {
    fd = openSync(file, HASH_FLAGS);
  } catch {
    return null;
  }
  try {
    if (!fstatSync(fd).isFile()) return null;
    const hash = createHash('sha256');
    // Plain reads, not a stream: most evidence files are small, and a stream costs more than they do.
    const buffer = Buffer.allocUnsafe(HASH_CHUNK_BYTES);
    let size = 0;
    for (;;) {
      const bytesRead =
        size < HASH_SYNC_BYTES
          ? readSync(fd, buffer, 0, buffer.length, null)
          : (await readChunk(fd, buffer, 0, buffer.length, null)).bytesRead;
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { sha256: hash.digest('hex'), size };
  } finally {
    closeSync(fd);
  }
}
