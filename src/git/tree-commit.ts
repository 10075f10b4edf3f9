/**
 * Commits of files that are not a working tree's (SPEC §10): an attempt's evidence folder and a
 * remote run's summary files, written into a worker's bare clone. The tree is the parent's with
 * the given files laid over it, built in a temporary index, so evidence of earlier attempts (from
 * any host) stays. Same files, parent and identity: same SHA, so a retried push finds it there.
 */

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { CommitIdentity } from '../contracts/git';
import { commitTree } from './merge';
import { git, runGit } from './run-git';

export interface TreeFile {
  /** Path in the commit, `/`-separated. */
  readonly path: string;
  readonly content: Buffer;
  readonly executable?: boolean;
}

/**
 * A commit whose tree is `parent`'s (empty without one) with `files` written over it, or `parent`
 * itself when that changes nothing.
 */
export async function commitFiles(
  repo: string,
  files: readonly TreeFile[],
  parent: string | null,
  identity: CommitIdentity,
  message: string,
): Promise<string> {
  const index = path.join(
    await git(['rev-parse', '--path-format=absolute', '--git-dir'], { cwd: repo }),
    `fanout-files-index-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  const env = { GIT_INDEX_FILE: index };
  try {
    await runGit(parent === null ? ['read-tree', '--empty'] : ['read-tree', parent], { cwd: repo, env });
    const lines: string[] = [];
    for (const file of files) {
      const blob = await git(['hash-object', '-w', '--no-filters', '--stdin'], {
        cwd: repo,
        input: file.content,
      });
      lines.push(`${file.executable === true ? '100755' : '100644'} ${blob}\t${file.path}\0`);
    }
    if (lines.length > 0) {
      await runGit(['update-index', '--add', '--replace', '-z', '--index-info'], {
        cwd: repo,
        env,
        input: lines.join(''),
      });
    }
    const tree = await git(['write-tree'], { cwd: repo, env });
    if (parent !== null && tree === (await git(['rev-parse', `${parent}^{tree}`], { cwd: repo })))
      return parent;
    return await commitTree(repo, tree, parent === null ? [] : [parent], identity, message);
  } finally {
    await rm(index, { force: true });
    await rm(`${index}.lock`, { force: true });
  }
}

/**
 * Every regular file below `folder`, by path relative to it. Links are neither followed nor kept
 * (SPEC §8.4), and each file is opened without following one, so a file swapped for a link after
 * it was listed is left out; a `.git` entry, which git cannot hold, is left out too.
 */
export async function filesOfFolder(folder: string): Promise<TreeFile[]> {
  const files: TreeFile[] = [];
  const walk = async (dir: string, prefix: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (entry.name.toLowerCase() === '.git') continue;
      const inner = path.join(dir, entry.name);
      const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) await walk(inner, relative);
      else if (entry.isFile()) {
        const read = await readWithoutFollowing(inner);
        if (read !== null) files.push({ path: relative, ...read });
      }
    }
  };
  await walk(folder, '');
  return files;
}

async function readWithoutFollowing(file: string): Promise<{ content: Buffer; executable: boolean } | null> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK).catch(
    () => null,
  );
  if (handle === null) return null;
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return null;
    return { content: await handle.readFile(), executable: (stats.mode & 0o111) !== 0 };
  } finally {
    await handle.close();
  }
}
