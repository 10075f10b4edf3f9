/**
 * The `workspace` shape's repositories and disk readings: a checkout of N small committed files
 * (written with `git fast-import`, then checked out), the stamps a git unit committed, and the
 * disk one prepared working tree takes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sourceKey } from '../git/worktree-paths';
import { log, readTextOrEmpty } from './env';

/** Files per folder in the generated repository. */
const FILES_PER_FOLDER = 100;

function git(repo: string, args: readonly string[], input?: string): string {
  return execFileSync('git', ['-c', 'core.hooksPath=/dev/null', ...args], {
    cwd: repo,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(input === undefined ? {} : { input }),
  });
}

/** The fast-import stream of one commit on `main` holding `count` files of ~100 bytes. */
function importStream(count: number): string {
  const lines: string[] = [];
  const message = `${count} small files`;
  lines.push('commit refs/heads/main', 'committer Bench <bench@localhost> 1700000000 +0000');
  lines.push(`data ${Buffer.byteLength(message)}`, message);
  for (let index = 0; index < count; index += 1) {
    const content = `file ${index} `.padEnd(99, 'x');
    const file = `lib/d${Math.floor(index / FILES_PER_FOLDER)}/f${index % FILES_PER_FOLDER}.txt`;
    lines.push(`M 100644 inline ${file}`, `data ${Buffer.byteLength(content)}`, content);
  }
  return `${lines.join('\n')}\n`;
}

export interface MadeRepo {
  readonly base: string;
  /** git init -> fast-import -> the files checked out, in ms. */
  readonly setupMs: number;
}

/** A new checkout at `repo` (an empty folder) with `count` committed files, checked out on `main`. */
export function makeRepo(repo: string, count: number): MadeRepo {
  const started = performance.now();
  git(repo, ['init', '-q', '-b', 'main']);
  git(repo, ['fast-import', '--quiet'], importStream(count));
  git(repo, ['reset', '-q', '--hard', 'main']);
  const base = git(repo, ['rev-parse', 'HEAD']).trim();
  return { base, setupMs: Math.round(performance.now() - started) };
}

/**
 * `du -sk` of a folder (optionally without its `.git`); NaN when du printed no total. A file that
 * vanished while du walked (git's own lock files) makes du exit 1 with the total still printed.
 */
export function diskKib(folder: string, withoutGit = false): number {
  const du = spawnSync('du', ['-sk', ...(withoutGit ? ['--exclude=.git'] : []), folder], {
    encoding: 'utf8',
  });
  const total = Number(/^(\d+)\t/m.exec(du.stdout ?? '')?.[1] ?? Number.NaN);
  if (!Number.isFinite(total)) log(`du -sk ${folder} failed: ${du.stderr?.trim() || du.error?.message}`);
  return total;
}

/** A unit's stamp file as its output commit holds it; empty when there is none. */
export function committedText(repo: string, commit: string | undefined, file: string): string {
  if (commit === undefined) return '';
  try {
    return git(repo, ['show', `${commit}:${file}`]);
  } catch {
    return '';
  }
}

export interface TreeDisk {
  /** The working tree's files (its `.git` is a one-line file). */
  readonly treeKib: number;
  /** Its folder under the source's `.git/worktrees/` (the tree's index, HEAD, logs). */
  readonly adminKib: number;
  readonly tree: string;
}

/** How many released trees of `source` the worker's pool holds. */
export function pooledTreeCount(worktreeRoot: string, source: string): number {
  try {
    return readdirSync(path.join(worktreeRoot, '.pool', sourceKey(source))).length;
  } catch {
    return 0;
  }
}

/**
 * The disk of one prepared working tree: a tree the worker released into its pool
 * (`<worktree root>/.pool/<source key>/<tree>`), which is a full checkout of a unit's starting
 * point plus the few files its agent wrote. Null when the pool holds none of `source`'s trees.
 */
export function pooledTreeDisk(worktreeRoot: string, source: string): TreeDisk | null {
  const pool = path.join(worktreeRoot, '.pool', sourceKey(source));
  let names: string[];
  try {
    names = readdirSync(pool);
  } catch {
    return null;
  }
  for (const name of names) {
    const tree = path.join(pool, name);
    const gitDir = /^gitdir: (.*)$/m.exec(readTextOrEmpty(path.join(tree, '.git')))?.[1];
    if (gitDir === undefined) continue;
    return { tree, treeKib: diskKib(tree), adminKib: diskKib(gitDir.trim()) };
  }
  return null;
}
