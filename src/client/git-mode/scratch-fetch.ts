/**
 * Reading one ref of a remote from a machine with no checkout (SPEC §10): the ref is fetched alone
 * into a temporary bare repository under the system's temporary directory, read with `git`, and
 * the repository removed afterwards, whatever the reader did.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { git, runGit } from '../../git/run-git';

/** Runs `body` in a fresh temporary bare repository (`agent-fanout-<purpose>-…`), removed afterwards. */
export async function withScratchRepo<T>(purpose: string, body: (scratch: string) => Promise<T>): Promise<T> {
  const scratch = await mkdtemp(path.join(tmpdir(), `agent-fanout-${purpose}-`));
  try {
    await git(['init', '--bare', '--quiet'], { cwd: scratch });
    return await body(scratch);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Fetches `ref` of `remote` into the scratch repository under the same name; a GitError when it cannot. */
export async function fetchOneRef(scratch: string, remote: string, ref: string): Promise<void> {
  await runGit(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--', remote, `+${ref}:${ref}`], {
    cwd: scratch,
  });
}
