/** Which of a git run's output commits still exist in the checkout (SPEC §9 "Retry"). */
import { runGit } from '../../git/run-git';

const FULL_SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** The unit ids whose commit is present as a commit object; one `git cat-file --batch-check` for all. */
export async function commitsPresent(
  repo: string,
  commits: Readonly<Record<string, string>>,
): Promise<Set<string>> {
  // Only full SHAs are asked about: a short or odd value could name something else.
  const asked = Object.entries(commits).filter(([, sha]) => FULL_SHA.test(sha));
  if (asked.length === 0) return new Set();
  const { stdout } = await runGit(['cat-file', '--batch-check=%(objectname) %(objecttype)'], {
    cwd: repo,
    input: asked.map(([, sha]) => `${sha}^{commit}\n`).join(''),
  });
  const found = new Set(
    stdout
      .split('\n')
      .map((line) => line.split(' '))
      .filter(([, type]) => type === 'commit')
      .map(([sha]) => sha),
  );
  return new Set(asked.filter(([, sha]) => found.has(sha)).map(([unitId]) => unitId));
}
