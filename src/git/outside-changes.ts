/** Enforcement (SPEC §9): what a unit's output changed outside its allowed directories. */

import path from 'node:path';
import { git } from './run-git';

const SYMLINK = '120000';
const GITLINK = '160000';

interface RawChange {
  readonly oldMode: string;
  readonly newMode: string;
  readonly newSha: string;
  readonly status: string;
  readonly paths: readonly string[];
}

/**
 * Sorted repo paths between `start` and `output` that break the unit's area: any path outside
 * `allowed` (both sides of a rename), a symlink whose target leaves the area (absolute, or out of
 * the allowed directories once resolved from the link's folder), any gitlink (submodule) and any
 * `.gitmodules` change, wherever they are.
 */
export async function outsideChanges(
  source: string,
  start: string,
  output: string,
  allowed: readonly string[],
): Promise<string[]> {
  if (start === output) return [];
  const raw = await git(['diff-tree', '-r', '-M', '-z', '--raw', '--no-commit-id', start, output], {
    cwd: source,
  });
  const areas = allowed.map(normalizeArea);
  const inArea = (file: string): boolean =>
    areas.some((area) => area === '' || file === area || file.startsWith(`${area}/`));
  const reported = new Set<string>();
  for (const change of parseRaw(raw)) {
    for (const file of change.paths) {
      if (!inArea(file) || path.posix.basename(file) === '.gitmodules') reported.add(file);
    }
    const last = change.paths.at(-1) ?? '';
    if (change.oldMode === GITLINK || change.newMode === GITLINK) reported.add(last);
    if (change.newMode === SYMLINK && change.status !== 'D') {
      const target = await git(['cat-file', 'blob', change.newSha], { cwd: source });
      if (!linkStaysInside(last, target, inArea)) reported.add(last);
    }
  }
  return [...reported].sort();
}

function normalizeArea(area: string): string {
  const clean = path.posix
    .normalize(area.replace(/\\/g, '/'))
    .replace(/^\.\/+/, '')
    .replace(/\/+$/, '');
  return clean === '.' ? '' : clean;
}

function linkStaysInside(link: string, target: string, inArea: (file: string) => boolean): boolean {
  if (target.startsWith('/')) return false;
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(link), target));
  if (resolved === '..' || resolved.startsWith('../')) return false;
  return inArea(resolved);
}

/** `:<old mode> <new mode> <old sha> <new sha> <status>\0<path>\0[<new path>\0]` entries. */
function parseRaw(raw: string): RawChange[] {
  const fields = raw.split('\0');
  const changes: RawChange[] = [];
  let index = 0;
  while (index < fields.length) {
    const header = fields[index] ?? '';
    if (!header.startsWith(':')) {
      index += 1;
      continue;
    }
    const [oldMode = '', newMode = '', , newSha = '', status = ''] = header.slice(1).split(' ');
    const twoPaths = status.startsWith('R') || status.startsWith('C');
    const paths = fields.slice(index + 1, index + (twoPaths ? 3 : 2));
    changes.push({ oldMode, newMode, newSha, status: status.charAt(0), paths });
    index += twoPaths ? 3 : 2;
  }
  return changes;
}
