/** The environment that makes a commit agent-fanout writes depend on the run only (SPEC §9). */

import type { CommitIdentity } from '../contracts/git';

/**
 * Author and committer from the run's identity. The date goes to git as `<seconds> +0000`, so
 * git never parses (or reinterprets) the ISO text and never reads the clock.
 */
export function identityEnv(identity: CommitIdentity): Record<string, string> {
  const millis = Date.parse(identity.date);
  if (Number.isNaN(millis)) {
    throw new Error(`identity.date '${identity.date}' is not an ISO time; pass the run's start time`);
  }
  const date = `${Math.floor(millis / 1000)} +0000`;
  return {
    GIT_AUTHOR_NAME: identity.name,
    GIT_AUTHOR_EMAIL: identity.email,
    GIT_AUTHOR_DATE: date,
    GIT_COMMITTER_NAME: identity.name,
    GIT_COMMITTER_EMAIL: identity.email,
    GIT_COMMITTER_DATE: date,
  };
}
