/** The run's integration (SPEC §9 "Refs"): the base merged with each SUCCEEDED output in completion order. */

import type { CommitIdentity } from '../contracts/git';
import { mergeCommits } from './merge';

export type IntegrateResult =
  | { readonly kind: 'ok'; readonly sha: string }
  | { readonly kind: 'conflict'; readonly paths: readonly string[] };

/** `integration` with `output` merged in (fast-forward when it can); the caller moves the ref. */
export async function integrate(
  source: string,
  integration: string,
  output: string,
  identity: CommitIdentity,
  message: string,
): Promise<IntegrateResult> {
  const answer = await mergeCommits(source, integration, output, identity, message);
  return answer.kind === 'ok' ? { kind: 'ok', sha: answer.sha } : answer;
}
