/**
 * A unit's namespace under `<repo>/<namespace_root>/<unit_id>/` (SPEC §4.1): where its paths are,
 * and the files written before each attempt. Created only for units that launch; never deleted.
 */

import { join } from 'node:path';
import type { WorkUnit } from '../../plan/types';
import {
  makeDirectories,
  refuseLinks,
  writeFileNoFollow,
  type CheckedFolders,
} from '../containment/safe-write';

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

/**
 * Creates the four directories, writes the manifest and `tmp/prompt.md` (the description), never
 * through a symbolic link (SPEC §8.4): a link on the way, or at this attempt's log, record or exit
 * file (which the supervisor writes), is refused with SymbolicLinkRefused before any file is written.
 * Each folder is checked once (`checked` remembers them for this launch's next writes), and what
 * does not depend on another step runs at once: a launch waits for three round trips, not fifteen.
 */
export async function prepareNamespace(
  paths: NamespacePaths,
  context: ManifestContext,
  checked: CheckedFolders = new Map(),
): Promise<void> {
  const { repo, attempt } = context;
  await makeDirectories(repo, paths.root, checked);
  const folders = [paths.artifactDir, paths.tmpDir, paths.logsDir, paths.handoffsDir];
  await Promise.all(folders.map((dir) => makeDirectories(repo, dir, checked)));
  const supervisorFiles = [attemptLogPath, attemptRecordPath, attemptExitPath];
  await Promise.all(supervisorFiles.map((file) => refuseLinks(repo, file(paths, attempt), checked)));
  const manifest = `${JSON.stringify(workerManifest(paths, context), null, 2)}\n`;
  await Promise.all([
    writeFileNoFollow(repo, paths.promptFile, context.unit.description, checked),
    writeFileNoFollow(repo, paths.manifest, manifest, checked),
  ]);
}

/** (Re)writes `worker-manifest.json`; `extra` adds keys known only later, like the attempt's `changes`. */
export async function writeManifest(
  paths: NamespacePaths,
  context: ManifestContext,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const manifest = { ...workerManifest(paths, context), ...extra };
  await writeFileNoFollow(context.repo, paths.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
}
