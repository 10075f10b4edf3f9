/**
 * The run summary of SPEC §5, in the seed's format, written to
 * `<repo>/.agent/artifacts/parallel_development_summary.md` and `<repo>/.agent/DEVELOPMENT_RESULT.md`.
 */

import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { countArtifacts } from '../unit-files/evidence';
import type { FanoutResult } from '../../plan/types';
import { namespacePaths } from '../unit-files/namespace';
import { readVerified } from './run-store';
import type { SummaryInput, SummaryResult, SummaryUnit } from '../types';

export const SUMMARY_FILES = [
  '.agent/artifacts/parallel_development_summary.md',
  '.agent/DEVELOPMENT_RESULT.md',
] as const;

export interface SummaryRow {
  readonly unitId: string;
  readonly status: string;
  readonly artifactCount: number;
  readonly error: string | null;
}

/** The summary text; rows in plan order. */
export function renderSummary(rows: readonly SummaryRow[], retryOf?: string): string {
  const workers = rows.map((row) => {
    const line = `- **${row.unitId}**: ${row.status.toLowerCase()} (${row.artifactCount} artifact(s))`;
    return row.error ? `${line} — ${row.error}` : line;
  });
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
    '## Verification',
    '',
    'Ran: no',
    '',
  ].join('\n');
}

/** SPEC §7.14: evidence manifest length, else countable files whatever their age, else 0. */
async function artifactCount(input: SummaryInput, unit: SummaryUnit): Promise<number> {
  if (unit.status === 'SUCCEEDED' && unit.evidenceCount !== undefined) return unit.evidenceCount;
  if (!unit.launched) return 0;
  const { artifactDir } = namespacePaths(input.repo, input.namespaceRoot, unit.unitId);
  return countArtifacts(artifactDir, input.evidencePattern);
}

export async function writeRunSummary(input: SummaryInput): Promise<SummaryResult> {
  const rows: SummaryRow[] = [];
  for (const unit of await summaryUnits(input)) {
    rows.push({
      unitId: unit.unitId,
      status: unit.status,
      error: unit.error,
      artifactCount: await artifactCount(input, unit),
    });
  }
  const text = renderSummary(rows, input.retryOf);
  const files = SUMMARY_FILES.map((relative) => join(input.repo, relative));
  for (const file of files) {
    await mkdir(dirname(file), { recursive: true });
    const temporary = `${file}.tmp`;
    await writeFile(temporary, text);
    await rename(temporary, file);
  }
  return { files };
}

async function summaryUnits(input: SummaryInput): Promise<readonly SummaryUnit[]> {
  if (input.resultFile === undefined) return input.units ?? [];
  const result = JSON.parse(
    await readVerified(input.resultFile.path, input.resultFile.sha256),
  ) as FanoutResult;
  return Object.entries(result.units).map(([unitId, unit]) => ({
    unitId,
    status: unit.status,
    error: unit.error,
    launched: unit.attempts > 0,
    evidenceCount: unit.artifacts.length,
  }));
}
