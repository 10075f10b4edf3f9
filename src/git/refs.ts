/** Ref updates as compare-and-swap (SPEC §9 "Refs"): a retried activity never applies a change twice. */

import { GitError, runGit } from './run-git';

/** The ref holds neither the expected value nor the new one: someone else moved it. */
export class RefMoved extends Error {
  constructor(
    readonly ref: string,
    readonly expected: string | null,
    readonly actual: string | null,
  ) {
    super(
      `${ref} is at ${actual ?? '(absent)'} where ${expected ?? '(absent)'} was expected; ` +
        'another run or a person moved it — look at it with `git log ' +
        ref +
        '` before trying again',
    );
    this.name = 'RefMoved';
  }
}

/** The SHA a ref holds, or null when it does not exist. */
export async function readRef(repo: string, ref: string): Promise<string | null> {
  const { stdout, code } = await runGit(['rev-parse', '--verify', '--quiet', '--end-of-options', ref], {
    cwd: repo,
    okCodes: [1],
  });
  return code === 0 ? stdout.trim() : null;
}

/**
 * Sets `ref` to `newSha` only if it holds `expected` (null: must not exist). 'already' when it
 * holds `newSha` by now (this update, retried); {@link RefMoved} when it holds anything else.
 */
export async function compareAndSwapRef(
  repo: string,
  ref: string,
  newSha: string,
  expected: string | null,
): Promise<'updated' | 'already'> {
  const before = await readRef(repo, ref);
  if (before === newSha) return 'already';
  try {
    // An empty old value makes git refuse when the ref exists.
    await runGit(['update-ref', '-m', 'agent-fanout', ref, newSha, expected ?? ''], { cwd: repo });
    return 'updated';
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    const actual = await readRef(repo, ref);
    if (actual === newSha) return 'already';
    throw new RefMoved(ref, expected, actual);
  }
}
