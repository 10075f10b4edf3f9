/**
 * Evidence (SPEC §4.2, §7.12, §7.14): regular, non-empty files directly in `artifacts/` whose
 * name matches `evidence.pattern`, written during the current attempt.
 *
 * "Written during the attempt" is decided against a snapshot taken just before the agent starts:
 * a file counts when it was not there, or when its identity, size, mtime or ctime changed.
 * Comparing signatures instead of "mtime >= start" is immune to the kernel's coarse file clock,
 * which can stamp a write made just after the start with a time just before it.
 */

import { lstatSync, readdirSync, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import picomatch from 'picomatch';
import type { ArtifactEntry } from '../../plan/types';
import { hashWithoutFollowing } from '../containment/safe-write';

/** Entry name → change signature, for everything in `artifacts/` before the attempt. */
export type ArtifactSnapshot = Readonly<Record<string, string>>;

export interface SnapshotResult {
  readonly snapshot: ArtifactSnapshot;
  /** The latest mtime or ctime seen, in ms; 0 when the directory was empty. */
  readonly newestChangeMs: number;
}

/**
 * A rewrite within one tick of the file clock may leave mtime and ctime unchanged. Starting the
 * agent at least this long after the newest pre-existing change makes any rewrite visible.
 */
export const FILE_CLOCK_SETTLE_MS = 25;

/** How long to wait before starting the agent so that any rewrite changes a file's signature. */
export function settleDelayMs(before: SnapshotResult, nowMs: number): number {
  return Math.max(0, before.newestChangeMs + FILE_CLOCK_SETTLE_MS - nowMs);
}

interface Candidate {
  readonly name: string;
  readonly path: string;
  readonly signature: string;
}

/** Synchronous: an artifacts folder holds a handful of files, and a thread-pool hop costs more. */
function listEntries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

function lstatOrNull(path: string): BigIntStats | null {
  try {
    return lstatSync(path, { bigint: true });
  } catch {
    return null;
  }
}

/** Compiled evidence patterns: a run has a handful, and every attempt's end matches against one. */
const matchers = new Map<string, (name: string) => boolean>();

function matcherOf(pattern: string): (name: string) => boolean {
  let matches = matchers.get(pattern);
  if (matches === undefined) {
    if (matchers.size >= 64) matchers.clear();
    matches = picomatch(pattern, { dot: true });
    matchers.set(pattern, matches);
  }
  return matches;
}

/** Regular, non-empty files directly in `dir` matching `pattern` (basename glob, dotfiles included). */
function candidates(dir: string, pattern: string): Candidate[] {
  const matches = matcherOf(pattern);
  const found: Candidate[] = [];
  for (const name of listEntries(dir).sort(compareNames)) {
    if (!matches(name)) continue;
    const path = join(dir, name);
    const stat = lstatOrNull(path);
    if (!stat?.isFile() || stat.size === 0n) continue;
    found.push({ name, path, signature: signatureOf(stat) });
  }
  return found;
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function signatureOf(stat: {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}): string {
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}`;
}

/** Records what `artifacts/` holds before the agent starts. */
export function snapshotArtifacts(dir: string): SnapshotResult {
  const snapshot: Record<string, string> = {};
  let newestChangeMs = 0;
  for (const name of listEntries(dir)) {
    const stat = lstatOrNull(join(dir, name));
    if (!stat) continue;
    snapshot[name] = signatureOf(stat);
    newestChangeMs = Math.max(
      newestChangeMs,
      Number(stat.mtimeNs / 1_000_000n),
      Number(stat.ctimeNs / 1_000_000n),
    );
  }
  return { snapshot, newestChangeMs };
}

/** The evidence manifest of an attempt: counted files not unchanged since `before`, by name. */
export async function collectEvidence(
  dir: string,
  pattern: string,
  before: ArtifactSnapshot,
): Promise<ArtifactEntry[]> {
  const entries: ArtifactEntry[] = [];
  for (const file of candidates(dir, pattern)) {
    if (before[file.name] === file.signature) continue;
    // Hashed from a descriptor opened without following links: a file swapped for a link meanwhile does not count.
    const hashed = await hashWithoutFollowing(file.path);
    if (hashed !== null && hashed.size > 0) entries.push({ name: file.name, ...hashed });
  }
  return entries;
}

/** Files that would count by pattern and size, whatever their age (summary counts, SPEC §7.14). */
export async function countArtifacts(dir: string, pattern: string): Promise<number> {
  // The summary counts every unit's folder in a row: a turn of the event loop between folders.
  await nextTurn();
  return candidates(dir, pattern).length;
}
