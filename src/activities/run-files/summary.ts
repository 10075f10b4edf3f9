/**
 * The run summary of SPEC §5, in the seed's format, written to
 * `<repo>/.agent/artifacts/parallel_development_summary.md` and `<repo>/.agent/DEVELOPMENT_RESULT.md`;
 * in a remote run (SPEC §10) pushed to the remote as a commit holding those two paths.
 */

import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { SymbolicLinkRefused, writeFileAtomically } from '../containment/safe-write';
import { countArtifacts } from '../unit-files/evidence';
import type { GitRunResult } from '../../contracts/git';
import type { FanoutResult, FileChange, OutOfBoundsChange } from '../../plan/types';
import { namespacePaths } from '../unit-files/namespace';
import { readVerified } from './run-store';
import type { SummaryInput, SummaryResult, SummaryUnit } from '../types';
import type { WorkerDeps } from '../git-workspace/remote-clone';
import { pushSummary } from './summary-remote';

export const SUMMARY_FILES = [
  '.agent/artifacts/parallel_development_summary.md',
  '.agent/DEVELOPMENT_RESULT.md',
] as const;

export interface SummaryRow {
  readonly unitId: string;
  readonly status: string;
  readonly artifactCount: number;
  readonly error: string | null;
  /** Listed under the unit's line, one per line (SPEC §8.2). */
  readonly changes?: readonly FileChange[];
  /** A git run's output commit of the unit (SPEC §9). */
  readonly commit?: string;
}

/**
 * The summary text; rows in plan order. Changes and out-of-bounds lines appear only when there
 * are some; a git run (SPEC §9) adds each unit's commit and a section on its branch.
 */
export function renderSummary(
  rows: readonly SummaryRow[],
  retryOf?: string,
  outOfBounds: readonly OutOfBoundsChange[] = [],
  git?: GitRunResult,
): string {
  const workers = rows.flatMap((row) => {
    const commit = row.commit === undefined ? '' : `, commit ${row.commit}`;
    const line = `- **${row.unitId}**: ${row.status.toLowerCase()} (${row.artifactCount} artifact(s)${commit})`;
    const changes = (row.changes ?? []).map((change) => `  - ${change.kind}: ${change.path}`);
    return [row.error ? `${line} — ${row.error}` : line, ...changes];
  });
  const strays = outOfBounds.map(
    (change) => `- ${change.kind}: ${change.path} (while running: ${change.units.join(', ')})`,
  );
  const allSucceeded = rows.every((row) => row.status === 'SUCCEEDED');
  return [
    '# Parallel Development Summary',
    '',
    '## Workers',
    ...workers,
    '',
    '## Status',
    '',
    `- any_failed: ${!allSucceeded}`,
    `- all_succeeded: ${allSucceeded}`,
    ...(retryOf === undefined ? [] : [`- retry_of: ${retryOf}`]),
    '',
    ...(git === undefined ? [] : gitSection(git)),
    ...(strays.length === 0 ? [] : ['## Out of bounds', '', ...strays, '']),
    '## Verification',
    '',
    'Ran: no',
    '',
  ].join('\n');
}

/** Where a git run's outcome is and how to take it (SPEC §9 "End"). */
function gitSection(git: GitRunResult): string[] {
  const into =
    git.into === undefined
      ? []
      : [
          `- into: ${git.into.branch} (${git.into.outcome})${git.into.message === '' ? '' : `: ${git.into.message}`}`,
        ];
  return [
    '## Git',
    '',
    `- base: ${git.base}`,
    `- integration: ${git.integration}`,
    `- branch: ${git.branch}`,
    `- review: \`git log --stat ${git.base}..${git.branch}\``,
    `- merge: \`git merge ${git.branch}\``,
    ...into,
    '',
  ];
}

/** SPEC §7.14: evidence manifest length, else countable files whatever their age, else 0. */
async function artifactCount(input: SummaryInput, unit: SummaryUnit): Promise<number> {
  if (unit.status === 'SUCCEEDED' && unit.evidenceCount !== undefined) return unit.evidenceCount;
  // A remote run's worker has no checkout to count in (nor does a git run's: its units work elsewhere).
  if (!unit.launched || input.remote !== undefined) return 0;
  const { artifactDir } = namespacePaths(input.repo, input.namespaceRoot, unit.unitId);
  return countArtifacts(artifactDir, input.evidencePattern);
}

/** @param deps the worker's host: in a remote run its work directory holds the clone it pushes from. */
export async function writeRunSummary(input: SummaryInput, deps: WorkerDeps = {}): Promise<SummaryResult> {
  const stored = await storedResult(input, deps);
  const git = gitOf(input, stored);
  const rows: SummaryRow[] = [];
  for (const unit of summaryUnits(input, stored)) {
    const commit = git?.units[unit.unitId];
    rows.push({
      unitId: unit.unitId,
      status: unit.status,
      error: unit.error,
      artifactCount: await artifactCount(input, unit),
      ...(unit.changes === undefined ? {} : { changes: unit.changes }),
      ...(commit === undefined ? {} : { commit }),
    });
  }
  const text = renderSummary(rows, input.retryOf, outOfBoundsOf(input, stored), git);
  if (input.remote !== undefined)
    return { files: await pushSummary(input.remote, SUMMARY_FILES, text, deps) };
  const files: string[] = [];
  const skipped: { file: string; reason: string }[] = [];
  for (const file of SUMMARY_FILES.map((relative) => join(input.repo, relative))) {
    try {
      await writeFileAtomically(input.repo, file, text);
      files.push(file);
    } catch (error) {
      // SPEC §8.4: a link on the summary's path is reported and the file skipped; the run goes on.
      if (!(error instanceof SymbolicLinkRefused)) throw error;
      skipped.push({ file, reason: error.message });
      reportSkipped(file, error.message);
    }
  }
  return skipped.length === 0 ? { files } : { files, skipped };
}

function reportSkipped(file: string, reason: string): void {
  const line = `summary ${file} not written: ${reason}`;
  try {
    Context.current().log.warn(line);
  } catch {
    process.stderr.write(`warning: ${line}\n`); // called outside an activity (tests, tools)
  }
}

function outOfBoundsOf(input: SummaryInput, stored: FanoutResult | undefined): readonly OutOfBoundsChange[] {
  if (stored === undefined) return input.outOfBounds ?? [];
  return stored.out_of_bounds ?? [];
}

function gitOf(input: SummaryInput, stored: FanoutResult | undefined): GitRunResult | undefined {
  return stored === undefined ? input.git : stored.git;
}

/** The stored result, read once (a remote run's from its remote), when the input names one. */
async function storedResult(input: SummaryInput, deps: WorkerDeps): Promise<FanoutResult | undefined> {
  const file = input.resultFile;
  if (file === undefined) return undefined;
  const remote = input.remote === undefined ? undefined : { url: input.remote.url, deps };
  return JSON.parse(await readVerified(file.path, file.sha256, remote)) as FanoutResult;
}

function summaryUnits(input: SummaryInput, stored: FanoutResult | undefined): readonly SummaryUnit[] {
  if (stored === undefined) return input.units ?? [];
  return Object.entries(stored.units).map(([unitId, unit]) => ({
    unitId,
    status: unit.status,
    error: unit.error,
    launched: unit.attempts > 0,
    evidenceCount: unit.artifacts.length,
    ...(unit.changes === undefined ? {} : { changes: unit.changes }),
  }));
}
