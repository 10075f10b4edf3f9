/**
 * SPEC §8.2 for one attempt: the baseline taken just before the agent starts, under the mode
 * prepareContainment decided for it (agent-lifecycle.ts calls {@link AttemptChangeTracker.take}), the changes once it ended, written into the unit's
 * manifest and returned with the attempt's result or failure. Out-of-bounds changes are also a
 * warning line in the worker's log.
 */

import type { Context } from '@temporalio/activity';
import type { ConfinementMode } from '../../plan/types';
import { writeManifest, type ManifestContext, type NamespacePaths } from '../unit-files/namespace';
import type { AttemptInput, ObservedChanges } from '../types';
import { ChangeBaseline } from './changes';

export class AttemptChangeTracker {
  private baseline: ChangeBaseline | null = null;

  constructor(
    private readonly input: AttemptInput,
    private readonly repo: string,
    private readonly paths: NamespacePaths,
  ) {}

  /**
   * Snapshots the repo before the agent starts, for the mode the agent runs under (not the plan's
   * request: SPEC §8.1 may turn landlock into audit); returns the newest mtime or ctime it saw (0 under `off`).
   */
  async take(mode: ConfinementMode): Promise<number> {
    const { unit, namespaceRoot, settings, containment } = this.input;
    this.baseline = await ChangeBaseline.take(mode, {
      repo: this.repo,
      namespaceRoot,
      allowedDirectories: unit.allowedDirectories,
      writable: settings.writable ?? [],
      allAreas: (containment?.areas ?? [unit]).flatMap((area) => area.allowedDirectories),
    });
    return this.baseline?.newestChangeMs ?? 0;
  }

  /**
   * The changes since {@link take}, also written into the manifest; nothing when no baseline was
   * taken (`off`, or the agent was adopted from an interrupted try, whose snapshot died with it).
   */
  async observe(context: Context): Promise<ObservedChanges> {
    const baseline = this.baseline;
    if (baseline === null) return {};
    this.baseline = null;
    const { changes, outOfBounds } = await baseline.changes();
    const paths = this.paths;
    const manifest: ManifestContext = { ...this.input, repo: this.repo };
    await writeManifest(paths, manifest, { changes });
    for (const change of outOfBounds) {
      context.log.warn(
        `out of bounds: '${change.path}' ${change.kind} outside every unit's allowed directories while '${this.input.unit.unitId}' ran`,
        { unitId: this.input.unit.unitId, path: change.path, kind: change.kind },
      );
    }
    return outOfBounds.length === 0 ? { changes } : { changes, outOfBounds };
  }

  /** Stops watching the repo when the attempt ended without {@link observe} (an error, a cancellation). */
  dispose(): void {
    this.baseline?.dispose();
    this.baseline = null;
  }
}
