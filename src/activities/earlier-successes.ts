/**
 * A retry of a run whose result was stored on the worker host: its successes are read from that
 * file here, a page at a time (so no activity input or result grows with the plan), and only
 * those whose evidence is still on disk unchanged are returned for reuse.
 */
import type { FanoutResult } from '../plan/types';
import type { EarlierSuccess } from '../workflows/types';
import { readVerified } from './run-store';
import { verifyArtifacts } from './verify-artifacts';

export interface EarlierSuccessesInput {
  readonly repo: string;
  readonly namespaceRoot: string;
  readonly resultFile: { readonly path: string; readonly sha256: string };
  /** Index among the earlier run's succeeded units (in its plan order). */
  readonly offset: number;
  readonly limit: number;
}

export interface EarlierSuccessesPage {
  /** The intact successes of this page. */
  readonly units: Record<string, EarlierSuccess>;
  /** Offset of the next page, or null after the last. */
  readonly next: number | null;
}

export async function readEarlierSuccesses(input: EarlierSuccessesInput): Promise<EarlierSuccessesPage> {
  const result = JSON.parse(
    await readVerified(input.resultFile.path, input.resultFile.sha256),
  ) as FanoutResult;
  const succeeded = Object.entries(result.units).filter(([, unit]) => unit.status === 'SUCCEEDED');
  const page = succeeded.slice(input.offset, input.offset + input.limit);
  const intact = new Set(
    await verifyArtifacts({
      repo: input.repo,
      namespaceRoot: input.namespaceRoot,
      units: Object.fromEntries(page.map(([unitId, unit]) => [unitId, unit.artifacts])),
    }),
  );
  const units: Record<string, EarlierSuccess> = {};
  for (const [unitId, unit] of page) {
    if (intact.has(unitId)) {
      units[unitId] = { artifacts: unit.artifacts, startedAt: unit.started_at, finishedAt: unit.finished_at };
    }
  }
  const end = input.offset + page.length;
  return { units, next: end < succeeded.length ? end : null };
}
