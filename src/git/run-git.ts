/**
 * Runs git without a shell: arguments as given, the caller's environment plus what it adds, and
 * stdout back as text. A non-zero exit becomes a GitError that carries the command and stderr.
 */

import { execFile } from 'node:child_process';

export interface GitOptions {
  /** The repository (or working tree) git runs in. */
  readonly cwd: string;
  /** Added to (and overriding) the process environment: GIT_INDEX_FILE, GIT_AUTHOR_DATE, … */
  readonly env?: Readonly<Record<string, string>>;
  /** Written to git's stdin (a Buffer for file contents that may not be text). */
  readonly input?: string | Buffer;
  /** Exit codes that are answers, not errors (e.g. 1 from `merge-tree` on a conflict). */
  readonly okCodes?: readonly number[];
}

export interface GitOutput {
  readonly stdout: string;
  readonly code: number;
}

export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(
      `git ${args.join(' ')} failed${code === null ? '' : ` (exit ${code})`}: ${stderr.trim() || 'no output'}`,
    );
    this.name = 'GitError';
  }
}

/** Plenty for `ls-files` of a 100,000-file repository. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

export function runGit(args: readonly string[], options: GitOptions): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      [...args],
      {
        cwd: options.cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C', ...options.env },
        maxBuffer: MAX_OUTPUT_BYTES,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        if (code !== null && (code === 0 || (options.okCodes ?? []).includes(code))) {
          resolve({ stdout, code });
        } else {
          reject(new GitError(args, code, stderr || (error?.message ?? '')));
        }
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** stdout of a git command that must succeed, without its trailing newline. */
export async function git(args: readonly string[], options: GitOptions): Promise<string> {
  const { stdout } = await runGit(args, options);
  return stdout.replace(/\n$/, '');
}

/** stdout of a git command that must succeed, as bytes (a blob that may not be text). */
export function gitBytes(args: readonly string[], cwd: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      {
        cwd,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' },
        maxBuffer: MAX_OUTPUT_BYTES,
        encoding: 'buffer',
      },
      (error, stdout, stderr) => {
        if (error === null) resolve(stdout);
        else
          reject(
            new GitError(args, typeof error.code === 'number' ? error.code : null, stderr.toString('utf8')),
          );
      },
    );
  });
}
