/**
 * Where attempt working trees live (SPEC §9 "Workspace"): out of the source checkout's tree and
 * out of $HOME, so that §8.1 can confine the agent to one of them.
 */

import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

/** `FANOUT_WORKTREES`, else `/var/tmp/agent-fanout-<uid>`. */
export function worktreeRoot(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.FANOUT_WORKTREES;
  if (configured !== undefined && configured !== '') return path.resolve(configured);
  const uid = process.getuid?.() ?? 'user';
  return `/var/tmp/agent-fanout-${uid}`;
}

/** The real path of a folder when it exists (symlinks resolved), else its absolute path. */
export function realOrResolved(folder: string): string {
  try {
    return realpathSync(folder);
  } catch {
    return path.resolve(folder);
  }
}

export function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** A short stable name for a source checkout: its folder name and a hash of its real path. */
export function sourceKey(source: string, salt = ''): string {
  const real = realOrResolved(source);
  const digest = createHash('sha256').update(`${real}\0${salt}`).digest('hex').slice(0, 16);
  const name =
    path
      .basename(real)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 40) || 'repo';
  return `${name}-${digest}`;
}

/**
 * `<root>/<source name>-<hash of source real path and run id>/<unit id>/<attempt>`: the same
 * attempt always gets the same folder, so a retried activity finds the tree it made.
 */
export function attemptWorktreePath(
  root: string,
  source: string,
  runId: string,
  unitId: string,
  attempt: number,
): string {
  // The root as given (not its real path): the same answer before and after it is first made.
  const folder = path.join(path.resolve(root), sourceKey(source, runId), unitId, String(attempt));
  const real = realOrResolved(source);
  const realFolder = path.join(realOrResolved(root), path.relative(path.resolve(root), folder));
  if (isInside(real, realFolder) || isInside(realFolder, real)) {
    throw new Error(
      `the working tree folder ${root} is inside the checkout ${real}; ` +
        'set FANOUT_WORKTREES to a folder outside it (default /var/tmp/agent-fanout-<uid>)',
    );
  }
  const home = homedir();
  if (home !== '' && home !== '/' && isInside(realOrResolved(home), realFolder)) {
    throw new Error(
      `the working tree folder ${root} is inside $HOME (${home}), where the agent could not be confined; ` +
        'set FANOUT_WORKTREES to a folder outside it (default /var/tmp/agent-fanout-<uid>)',
    );
  }
  return folder;
}
