/**
 * `git worktree add|move|remove|prune` on one repository, one at a time in this process. Git keeps
 * each working tree's bookkeeping under `<common dir>/worktrees/<name>/`, and a `prune` that runs
 * while another `add` is half done removes the new entry ("failed to read worktrees/1/commondir"):
 * two attempts starting together in one clone saw it. Workers on one host with separate work
 * directories never share a repository's bookkeeping, so a lock in the process is enough.
 */

import { runGit, type GitOptions, type GitOutput } from './run-git';

const queues = new Map<string, Promise<unknown>>();

export function worktreeGit(
  source: string,
  args: readonly string[],
  options: Omit<GitOptions, 'cwd'> = {},
): Promise<GitOutput> {
  const previous = queues.get(source) ?? Promise.resolve();
  const next = previous.then(
    () => runGit(args, { ...options, cwd: source }),
    () => runGit(args, { ...options, cwd: source }),
  );
  const settled = next.catch(() => undefined);
  queues.set(source, settled);
  void settled.then(() => {
    if (queues.get(source) === settled) queues.delete(source);
  });
  return next;
}
