/** `--repo`: the checkout the agents work in, as a real path; not a directory is a usage error. */
import { realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors';

export function resolveRepo(repo: string | undefined, cwd: string): string {
  const path = resolve(cwd, repo ?? '.');
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    isDirectory = false;
  }
  if (!isDirectory)
    throw new UsageError(`--repo ${path} is not a directory; pass the checkout the agents should work in`);
  return realpathSync(path);
}
