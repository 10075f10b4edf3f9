/** `status` for people: counts, then one row per unit with why it waits when it does. */
import type { Progress, UnitProgress } from '../../contracts/run-types';
import { shortSha } from './commit-text';
import { firstLineCut, formatColumns } from './text-table';

/** A git run's branch and base, as its memo holds them (`startRun`). */
export interface RunBranch {
  readonly branch: string;
  readonly base: string;
  /** A run on many hosts (SPEC §10): the branch is on this remote. */
  readonly remote?: string;
}

/** A git run (SPEC §9) adds each unit's output commit and, under the table, the run's branch. */
export function formatProgressTable(
  workflowId: string,
  progress: Progress,
  nowMs = Date.now(),
  git?: RunBranch,
): string {
  const counts = Object.entries(progress.counts)
    .map(([status, n]) => `${n} ${status.toLowerCase()}`)
    .join(', ');
  const rows = progress.units.map((unit) => [
    unit.unit_id,
    unit.reused_from === undefined ? unit.status : 'REUSED',
    String(unit.attempts),
    ...(git === undefined ? [] : [unit.commit === undefined ? '' : shortSha(unit.commit)]),
    firstLineCut(noteOf(unit, nowMs)),
  ]);
  const header = ['unit', 'status', 'attempts', ...(git === undefined ? [] : ['commit']), 'note'];
  return [
    `${workflowId} — ${progress.plan_name}: ${progress.state} (${counts}; max_workers ${progress.max_workers}, on_failure ${progress.on_failure})`,
    ...formatColumns(header, rows),
    ...(git === undefined ? [] : [branchLine(git, progress.state)]),
    '',
  ].join('\n');
}

/** Why a unit waits, how it ended, or where it was reused from; a retrying unit says when it goes on. */
function noteOf(unit: UnitProgress, nowMs: number): string {
  if (unit.reused_from !== undefined) return `reused from ${unit.reused_from}`;
  if (unit.reason?.kind === 'retry-delay') {
    const inSeconds = Math.max(0, Math.round((Date.parse(unit.reason.retryAt) - nowMs) / 1000));
    const failed = unit.error === null ? '' : `; attempt ${unit.attempts} failed: ${unit.error}`;
    return `${unit.why ?? ''} (in ${inSeconds} s)${failed}`;
  }
  return unit.error ?? unit.why ?? '';
}

/** Where a git run's outcome goes: the branch exists once the run has ended (SPEC §9 "End"). */
function branchLine(git: RunBranch, state: Progress['state']): string {
  if (git.remote !== undefined) return remoteBranchLine(git, git.remote, state);
  const from = `from base ${shortSha(git.base)}`;
  return state === 'running' || state === 'cancelling'
    ? `branch ${git.branch} (${from}) when the run has ended; then: git merge ${git.branch}`
    : `branch ${git.branch} (${from}); merge it: git merge ${git.branch}`;
}

function remoteBranchLine(git: RunBranch, remote: string, state: Progress['state']): string {
  const where = `branch ${git.branch} (from base ${shortSha(git.base)}) on ${remote}`;
  const fetch = `git fetch ${remote} ${git.branch}:${git.branch}`;
  return state === 'running' || state === 'cancelling'
    ? `${where} when the run has ended; then: ${fetch}`
    : `${where}; get it: ${fetch}`;
}
