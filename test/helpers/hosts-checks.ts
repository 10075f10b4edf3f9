/**
 * What a remote run must leave on the remote (SPEC §10), read from the bare repository with real
 * git: each unit's ref on an output commit with the expected trailers, the integration holding
 * every unit's change exactly once, the branch on the integration, an evidence ref per unit.
 */
import { evidenceRef } from '../../src/contracts/hosts';
import type { FanoutResult } from '../../src/plan/types';
import { fileAt, gitIn, gitSucceeds, refTarget, treeFiles } from './git-repo';

/** The value of `trailer` in a commit's message, or undefined. */
export function trailerOf(repo: string, commit: string, trailer: string): string | undefined {
  const message = gitIn(repo, ['log', '-1', '--format=%B', commit]);
  return new RegExp(`^${trailer}: (.*)$`, 'm').exec(message)?.[1];
}

/** Every problem with the run's refs on the remote (empty: as it should be). */
export function remoteRunProblems(
  remote: string,
  base: string,
  result: FanoutResult,
  expectedAttempt: (unitId: string) => number = () => 1,
): string[] {
  const id = result.workflow_id ?? '?';
  const git = result.git;
  if (git === undefined) return ['the result has no git section'];
  const problems: string[] = [];
  const branchTip = refTarget(remote, `refs/heads/${git.branch}`);
  if (branchTip !== git.integration)
    problems.push(`branch ${git.branch} on the remote is ${String(branchTip)}, not ${git.integration}`);
  const succeeded = Object.entries(result.units).filter(([, unit]) => unit.status === 'SUCCEEDED');
  for (const [unitId, unit] of succeeded) {
    const ref = refTarget(remote, `refs/fanout/${id}/units/${unitId}`);
    if (ref === undefined || ref !== unit.commit) {
      problems.push(`unit ${unitId}: ref ${String(ref)}, result commit ${String(unit.commit)}`);
      continue;
    }
    if (trailerOf(remote, ref, 'Fanout-Unit') !== unitId) problems.push(`unit ${unitId}: wrong Fanout-Unit`);
    const attempt = trailerOf(remote, ref, 'Fanout-Attempt');
    if (attempt !== String(expectedAttempt(unitId)))
      problems.push(`unit ${unitId}: Fanout-Attempt ${String(attempt)}, expected ${expectedAttempt(unitId)}`);
    if (refTarget(remote, evidenceRef(id, unitId)) === undefined)
      problems.push(`unit ${unitId}: no evidence ref`);
    if (!gitSucceeds(remote, ['merge-base', '--is-ancestor', ref, git.integration]))
      problems.push(`unit ${unitId}: its commit is not in the integration`);
  }
  problems.push(
    ...integrationProblems(
      remote,
      base,
      git.integration,
      succeeded.map(([unitId]) => unitId),
    ),
  );
  return problems;
}

/**
 * The integration holds one output commit per unit and merged each at most once: no ref was moved
 * twice (a second push of a unit would add a second output commit or a second merge of it).
 */
function integrationProblems(remote: string, base: string, integration: string, units: string[]): string[] {
  const problems: string[] = [];
  const unitsOf = (merges: boolean): string[] =>
    gitIn(remote, ['log', merges ? '--merges' : '--no-merges', '--format=%H', `${base}..${integration}`])
      .split('\n')
      .filter((line) => line !== '')
      .map((commit) => trailerOf(remote, commit, 'Fanout-Unit') ?? `(no trailer: ${commit})`)
      .sort();
  const outputs = unitsOf(false);
  if (JSON.stringify(outputs) !== JSON.stringify([...units].sort()))
    problems.push(
      `output commits in the integration: ${outputs.join(',')}; expected ${units.sort().join(',')}`,
    );
  const merged = unitsOf(true);
  if (new Set(merged).size !== merged.length) problems.push(`a unit merged twice: ${merged.join(',')}`);
  return problems;
}

/** Which host's work directory wrote `src/<unit>/done.txt` in the unit's commit (see hostAgent). */
export function writerOf(
  remote: string,
  commit: string,
  unitId: string,
  workdirs: Record<string, string>,
): string {
  const written = fileAt(remote, commit, `src/${unitId}/done.txt`);
  return Object.entries(workdirs).find(([, workdir]) => written.startsWith(`${workdir}/`))?.[0] ?? '?';
}

/** The files of the integration, e.g. to see every unit's `src/<unit>/done.txt`. */
export function integrationFiles(remote: string, result: FanoutResult): string[] {
  return result.git === undefined ? [] : treeFiles(remote, result.git.integration);
}
