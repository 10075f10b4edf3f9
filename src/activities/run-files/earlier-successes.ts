/**
 * A retry of a run whose result was stored on the worker host (a remote run's: on its remote): its
 * successes are read from that file here, a page at a time (so no activity input or result grows with the plan), and only
 * those whose evidence is still on disk unchanged are returned for reuse.
 */
import type { FanoutResult } from '../../plan/types';
import type { EarlierSuccess } from '../../contracts/run-types';
import { readVerified, type RemoteSource } from './run-store';
import { verifyArtifacts } from '../unit-files/verify-artifacts';
import type { WorkerDeps } from '../git-workspace/remote-clone';

export interface EarlierSuccessesInput {
  readonly repo: string;
  readonly namespaceRoot: string;
  readonly resultFile: { readonly path: string; readonly sha256: string };
  /** Index among the earlier run's succeeded units (in its plan order). */
  readonly offset: number;
  readonly limit: number;
  /**
   * Set when the earlier run was a git run: its workflow id, whose evidence copy is checked (a
   * remote run's: on its remote, SPEC §10).
   */
  readonly git?: { readonly runId: string; readonly remote?: string };
}

export interface EarlierSuccessesPage {
  /** The intact successes of this page. */
  readonly units: Record<string, EarlierSuccess>;
  /** Offset of the next page, or null after the last. */
  readonly next: number | null;
}

/** @param deps the worker's host: in a remote run its work directory holds the clone it checks from. */
export async function readEarlierSuccesses(
  input: EarlierSuccessesInput,
  deps: WorkerDeps = {},
): Promise<EarlierSuccessesPage> {
  const remote = input.git?.remote === undefined ? undefined : { url: input.git.remote, deps };
  const succeeded = await succeededUnits(input.resultFile, remote);
  const page = succeeded.slice(input.offset, input.offset + input.limit);
  const intact = new Set(
    await verifyArtifacts(
      {
        repo: input.repo,
        namespaceRoot: input.namespaceRoot,
        units: Object.fromEntries(page.map(([unitId, unit]) => [unitId, unit.artifacts])),
        ...(input.git === undefined ? {} : { git: { ...input.git, commits: pageCommits(page) } }),
      },
      deps,
    ),
  );
  const units: Record<string, EarlierSuccess> = {};
  for (const [unitId, unit] of page) if (intact.has(unitId)) units[unitId] = unit;
  const end = input.offset + page.length;
  if (end >= succeeded.length) forget(input.resultFile);
  return { units, next: end < succeeded.length ? end : null };
}

type Succeeded = [unitId: string, unit: EarlierSuccess][];

function pageCommits(page: Succeeded): Record<string, string> {
  const commits: Record<string, string> = {};
  for (const [unitId, unit] of page) if (unit.commit !== undefined) commits[unitId] = unit.commit;
  return commits;
}

/**
 * The pages of one retry come one after another: the file (megabytes for 10,000 units) is read
 * and parsed once for all of them, and forgotten once the last page was read (or a minute after
 * the latest page, when a retry stopped halfway).
 */
let recent: { key: string; units: Promise<Succeeded>; timer?: NodeJS.Timeout } | undefined;
const FORGET_AFTER_MS = 60_000;

function keyOf(file: { readonly path: string; readonly sha256: string }): string {
  return `${file.path}\0${file.sha256}`;
}

function forget(file: { readonly path: string; readonly sha256: string }): void {
  if (recent?.key !== keyOf(file)) return;
  clearTimeout(recent.timer);
  recent = undefined;
}

function succeededUnits(
  file: { readonly path: string; readonly sha256: string },
  remote: RemoteSource | undefined,
): Promise<Succeeded> {
  const key = keyOf(file);
  if (recent?.key !== key) {
    const units = readVerified(file.path, file.sha256, remote).then((text) =>
      // Only what a reuse needs is kept: the rest of the result (events, outputs) is dropped here.
      Object.entries((JSON.parse(text) as FanoutResult).units).flatMap(([unitId, unit]): Succeeded =>
        unit.status === 'SUCCEEDED'
          ? [
              [
                unitId,
                {
                  artifacts: unit.artifacts,
                  startedAt: unit.started_at,
                  finishedAt: unit.finished_at,
                  ...(unit.commit === undefined ? {} : { commit: unit.commit }),
                },
              ],
            ]
          : [],
      ),
    );
    const entry: NonNullable<typeof recent> = { key, units };
    units.catch(() => {
      if (recent === entry) recent = undefined;
    });
    recent = entry;
  }
  const current = recent;
  clearTimeout(current.timer);
  current.timer = setTimeout(() => {
    if (recent === current) recent = undefined;
  }, FORGET_AFTER_MS).unref();
  return current.units;
}
