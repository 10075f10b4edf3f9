/**
 * What one attempt changed in the repo (SPEC §8.2): a snapshot just before the agent starts, a
 * second walk once it has ended, the difference hashed. Where to look depends on the confinement
 * mode (SPEC §8.1): under `landlock` only the unit's writable areas can change, so only they are
 * walked; under `audit` the whole repo is (minus the namespaces, `.git` and `.agent`, which holds
 * agent-fanout's own files), and a change outside every unit's area and `agent.writable` is also
 * out of bounds; under `off` nothing is observed.
 */

import { createHash } from 'node:crypto';
import { lstat, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { DirectorySet, outsideEveryArea } from '../../plan/out-of-bounds';
import { normalizeDirectory } from '../../plan/overlap';
import type { ConfinementMode, FileChange } from '../../plan/types';
import { isInside, resolveLeniently } from '../unit-files/directory-escape';
import { hashWithoutFollowing } from './safe-write';
import {
  diffSignatures,
  diffTouched,
  foldersToWatch,
  takeSnapshot,
  type FileSnapshot,
  type SnapshotScope,
} from './changes-snapshot';
import { TouchedNames } from './changes-watch';

export interface ChangeWatch {
  /** Real path of the repo. */
  readonly repo: string;
  readonly namespaceRoot: string;
  /** The unit's allowed directories as written. */
  readonly allowedDirectories: readonly string[];
  /** `agent.writable`. */
  readonly writable: readonly string[];
  /** Every unit's allowed directories (this one's included): what lies outside all of them is out of bounds. */
  readonly allAreas: readonly string[];
}

export interface AttemptChanges {
  /** Sorted by path. */
  readonly changes: FileChange[];
  /** The changes outside every unit's area and `agent.writable` (audit only), sorted by path. */
  readonly outOfBounds: Pick<FileChange, 'path' | 'kind'>[];
}

/** The state before the agent started; {@link ChangeBaseline.changes} compares with it. */
export class ChangeBaseline {
  private constructor(
    private readonly mode: 'landlock' | 'audit',
    private readonly watch: ChangeWatch,
    private readonly scope: SnapshotScope,
    private readonly before: FileSnapshot,
    private readonly touched: TouchedNames | null,
  ) {}

  /**
   * Takes the snapshot before the agent starts; null under `off`. Under `landlock` the unit's
   * folders are also watched, so that afterwards only what was touched is looked at again (the
   * whole repo of `audit` would take too many watches: it is walked again).
   */
  static async take(mode: ConfinementMode, watch: ChangeWatch): Promise<ChangeBaseline | null> {
    if (mode === 'off') return null;
    const scope = await scopeOf(mode, watch);
    const before = await takeSnapshot(scope);
    const touched =
      mode === 'landlock' ? TouchedNames.start(watch.repo, foldersToWatch(scope, before)) : null;
    return new ChangeBaseline(mode, watch, scope, before, touched);
  }

  /** Stops watching; for an attempt that ends without asking for its changes. */
  dispose(): void {
    this.touched?.close();
  }

  /** The latest mtime or ctime the snapshot saw (the agent starts only once the file clock is past it). */
  get newestChangeMs(): number {
    return this.before.newestChangeMs;
  }

  /** What changed since the snapshot, hashed; once the agent has ended. */
  async changes(): Promise<AttemptChanges> {
    const touched = (await this.touched?.settle()) ?? null;
    const diff =
      touched === null
        ? diffSignatures(this.before.signatures, (await takeSnapshot(this.scope)).signatures)
        : await diffTouched(this.scope, this.before, touched);
    const found = [
      ...diff.added.map((path) => ({ path, kind: 'added' as const })),
      ...diff.modified.map((path) => ({ path, kind: 'modified' as const })),
      ...diff.deleted.map((path) => ({ path, kind: 'deleted' as const })),
    ].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    if (this.mode === 'landlock') return { changes: await hashAll(this.watch.repo, found), outOfBounds: [] };
    const own = new DirectorySet([...this.watch.allowedDirectories, ...this.watch.writable]);
    const outOfBounds = outsideEveryArea(
      found,
      new DirectorySet([...this.watch.allAreas, ...this.watch.writable]),
    );
    // Only changes in the unit's own areas are its own: another unit's area is that unit's business,
    // and a change outside every area cannot be told apart from one a concurrent agent made, so
    // it is reported as out of bounds with every unit that saw it (the workflow merges them).
    const mine = found.filter((change) => own.contains(change.path));
    return { changes: await hashAll(this.watch.repo, mine), outOfBounds };
  }
}

async function scopeOf(mode: 'landlock' | 'audit', watch: ChangeWatch): Promise<SnapshotScope> {
  const excluded = new Set([normalizeDirectory(watch.namespaceRoot), '.git', '.agent']);
  if (mode === 'audit') return { repo: watch.repo, roots: [''], excluded };
  const roots = new Set<string>();
  for (const raw of [...watch.allowedDirectories, ...watch.writable]) {
    // Walked where they resolve: an allowed directory may be a link to another place in the repo.
    const resolved = await resolveLeniently(join(watch.repo, normalizeDirectory(raw)), watch.repo);
    if (isInside(watch.repo, resolved)) roots.add(relative(watch.repo, resolved));
  }
  return { repo: watch.repo, roots: withoutNested([...roots]), excluded };
}

/** Roots that do not lie inside another root, so no file is walked twice. */
function withoutNested(roots: readonly string[]): string[] {
  const sorted = [...roots].sort();
  const kept: string[] = [];
  for (const root of sorted) {
    if (!new DirectorySet(kept).contains(root) && !kept.includes('')) kept.push(root);
  }
  return kept;
}

async function hashAll(
  repo: string,
  found: readonly Pick<FileChange, 'path' | 'kind'>[],
): Promise<FileChange[]> {
  const changes: FileChange[] = [];
  for (const { path, kind } of found) {
    if (kind === 'deleted') changes.push({ path, kind, size: null, sha256: null });
    else changes.push({ path, kind, ...(await contentOf(join(repo, path))) });
  }
  return changes;
}

/** Size and sha256 of a file's content; of a link, its target text; null when unreadable or gone. */
async function contentOf(file: string): Promise<{ size: number | null; sha256: string | null }> {
  const hashed = await hashWithoutFollowing(file);
  if (hashed !== null) return hashed;
  const stats = await lstat(file).catch(() => null);
  if (stats?.isSymbolicLink()) {
    const target = Buffer.from(await readlink(file));
    return { size: target.length, sha256: createHash('sha256').update(target).digest('hex') };
  }
  return { size: stats?.size ?? null, sha256: null };
}
