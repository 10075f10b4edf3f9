/**
 * The symlink-escape check of SPEC §4.1 / §7.10: an allowed directory that resolves, symlinks
 * followed, outside the repo fails its unit (never the run). Directories need not exist (§7.13),
 * so resolution is lenient: links are followed as far as the path exists, dangling ones too, and
 * the missing rest is appended as written. One lstat per segment, synchronous: a few microseconds
 * each, where a thread-pool round trip on a busy worker costs far more (issue 18).
 */

import { lstatSync, readlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** More links than this on one path is a loop; the path is then taken as written from there. */
const MAX_LINKS = 40;

/**
 * Resolves an absolute path, following every symlink that exists along it. `resolvedBase`, a real
 * path the path lies under, is taken as resolved already: the walk starts there.
 */
export async function resolveLeniently(absolutePath: string, resolvedBase = '/'): Promise<string> {
  return Promise.resolve(resolveLenientlyNow(absolutePath, resolvedBase));
}

function resolveLenientlyNow(absolutePath: string, resolvedBase: string): string {
  let pending = relative(resolvedBase, absolutePath)
    .split('/')
    .filter((segment) => segment !== '');
  let current = resolvedBase;
  let links = 0;
  while (pending.length > 0) {
    const [segment, ...rest] = pending;
    pending = rest;
    if (segment === undefined || segment === '.') continue;
    if (segment === '..') {
      current = dirname(current);
      continue;
    }
    const candidate = join(current, segment);
    let isLink: boolean;
    try {
      isLink = lstatSync(candidate).isSymbolicLink();
    } catch {
      return join(candidate, ...pending); // does not exist (yet): the rest as written
    }
    if (!isLink) {
      current = candidate;
      continue;
    }
    links += 1;
    if (links > MAX_LINKS) return join(candidate, ...pending);
    const target = readlinkSync(candidate);
    if (target.startsWith('/')) current = '/';
    pending = [...target.split('/').filter((part) => part !== ''), ...pending];
  }
  return current;
}

/** True when `path` is `root` or inside it; both absolute and resolved. */
export function isInside(root: string, path: string): boolean {
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return path === root || path.startsWith(prefix);
}

/** The first allowed directory (as written) that resolves outside `repoRoot`, or null. */
export async function findEscapingDirectory(
  repoRoot: string,
  directories: readonly string[],
): Promise<string | null> {
  for (const raw of directories) {
    const written = join(repoRoot, raw);
    // repoRoot is a real path: only what lies below it needs resolving, one lstat per segment.
    const base = isInside(repoRoot, written) ? repoRoot : '/';
    if (!isInside(repoRoot, await resolveLeniently(written, base))) return raw;
  }
  return null;
}
