/** How commits and the run's branch of a git-workspace run (SPEC §9) read in tables and reports. */
import type { GitRunResult } from '../../contracts/git';
import { summaryRef } from '../../contracts/hosts';

const SHORT_SHA_LENGTH = 7;

/** The first 7 hex digits, as `git log --oneline` shows a commit. */
export function shortSha(sha: string): string {
  return sha.slice(0, SHORT_SHA_LENGTH);
}

/** The lines under a git run's report: its branch, how to look at it and merge it, and `--into`. */
export function gitRunLines(git: GitRunResult): string[] {
  const into = git.into;
  return [
    `Branch:  ${git.branch} at ${shortSha(git.integration)} (base ${shortSha(git.base)})`,
    `         review: git log --stat ${shortSha(git.base)}..${git.branch}`,
    `         merge:  git merge ${git.branch}`,
    ...(into === undefined
      ? []
      : [`Into:    ${into.branch} (${into.outcome})${into.message === '' ? '' : `: ${into.message}`}`]),
  ];
}

/**
 * A remote run's (SPEC §10) lines instead: the branch and the summary are on the remote, so the
 * lines say how to fetch them into any clone, then review and merge as in {@link gitRunLines}.
 */
export function remoteRunLines(git: GitRunResult, remote: string, workflowId: string): string[] {
  const [branchLine, ...rest] = gitRunLines(git);
  return [
    `${branchLine ?? ''} on ${remote}`,
    `         get it: git fetch ${remote} ${git.branch}:${git.branch}`,
    ...rest,
    `Summary: ${summaryRef(workflowId)} on ${remote}`,
    `         read it: git fetch ${remote} ${summaryRef(workflowId)} && git show FETCH_HEAD:parallel_development_summary.md`,
  ];
}
