/**
 * A unit's namespace under `<repo>/<namespace_root>/<unit_id>/` (SPEC §4.1): where its paths are,
 * and the files written before each attempt. Created only for units that launch; never deleted.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WorkUnit } from '../../plan/types';

export interface NamespacePaths {
  /** Absolute namespace directory (`FANOUT_NAMESPACE`). */
  readonly root: string;
  readonly artifactDir: string;
  readonly tmpDir: string;
  readonly logsDir: string;
  readonly handoffsDir: string;
  readonly manifest: string;
  readonly promptFile: string;
}

/** The absolute paths of one unit's namespace; pure. */
export function namespacePaths(repo: string, namespaceRoot: string, unitId: string): NamespacePaths {
  const root = join(repo, namespaceRoot, unitId);
  const tmpDir = join(root, 'tmp');
  return {
    root,
    artifactDir: join(root, 'artifacts'),
    tmpDir,
    logsDir: join(root, 'logs'),
    handoffsDir: join(root, 'handoffs'),
    manifest: join(root, 'worker-manifest.json'),
    promptFile: join(tmpDir, 'prompt.md'),
  };
}

/** `logs/attempt-<n>.log`: the agent's merged stdout and stderr. */
export function attemptLogPath(paths: NamespacePaths, attempt: number): string {
  return join(paths.logsDir, `attempt-${attempt}.log`);
}

/** `logs/attempt-<n>.json`: the {@link AttemptRecord} of a started agent. */
export function attemptRecordPath(paths: NamespacePaths, attempt: number): string {
  return join(paths.logsDir, `attempt-${attempt}.json`);
}

/** `logs/attempt-<n>.exit.json`: how the agent ended, written by its supervisor. */
export function attemptExitPath(paths: NamespacePaths, attempt: number): string {
  return join(paths.logsDir, `attempt-${attempt}.exit.json`);
}

export interface ManifestContext {
  readonly runId: string;
  readonly repo: string;
  readonly unit: WorkUnit;
  readonly attempt: number;
}

/** The `worker-manifest.json` document, snake_case like the run result. */
export function workerManifest(paths: NamespacePaths, context: ManifestContext): Record<string, unknown> {
  return {
    run_id: context.runId,
    unit_id: context.unit.unitId,
    description: context.unit.description,
    allowed_directories: context.unit.allowedDirectories,
    step_ids: context.unit.stepIds,
    attempt: context.attempt,
    repo_root: context.repo,
    namespace: paths.root,
    artifact_dir: paths.artifactDir,
    tmp_dir: paths.tmpDir,
    logs_dir: paths.logsDir,
    handoffs_dir: paths.handoffsDir,
    prompt_file: paths.promptFile,
    log_file: attemptLogPath(paths, context.attempt),
  };
}

/** Creates the four directories, writes the manifest and `tmp/prompt.md` (the description). */
export async function prepareNamespace(paths: NamespacePaths, context: ManifestContext): Promise<void> {
  // Siblings under one root: recursive mkdirs may race on the shared parents, which they tolerate.
  await Promise.all(
    [paths.artifactDir, paths.tmpDir, paths.logsDir, paths.handoffsDir].map((dir) =>
      mkdir(dir, { recursive: true }),
    ),
  );
  await Promise.all([
    writeFile(paths.promptFile, context.unit.description),
    writeFile(paths.manifest, `${JSON.stringify(workerManifest(paths, context), null, 2)}\n`),
  ]);
}
