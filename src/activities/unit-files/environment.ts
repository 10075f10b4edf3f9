/**
 * The agent's environment (SPEC §4.1, §7.15): worker environment < `agent.env` < the unit's `env`
 * < the FANOUT_* / RALPH_* variables below, which always win.
 */

import type { NamespacePaths } from './namespace';

export interface AgentIdentity {
  readonly runId: string;
  readonly unitId: string;
  readonly attempt: number;
  readonly allowedDirectories: readonly string[];
}

/** The variables of the SPEC §4.1 table. */
export function fanoutVariables(identity: AgentIdentity, paths: NamespacePaths): Record<string, string> {
  return {
    FANOUT_RUN_ID: identity.runId,
    FANOUT_UNIT_ID: identity.unitId,
    RALPH_WORKER_ID: identity.unitId,
    FANOUT_ATTEMPT: String(identity.attempt),
    FANOUT_NAMESPACE: paths.root,
    RALPH_WORKER_NAMESPACE: paths.root,
    FANOUT_ARTIFACT_DIR: paths.artifactDir,
    RALPH_WORKER_ARTIFACT_DIR: paths.artifactDir,
    FANOUT_MANIFEST: paths.manifest,
    RALPH_PARALLEL_WORKER_MANIFEST: paths.manifest,
    FANOUT_PROMPT_FILE: paths.promptFile,
    FANOUT_ALLOWED_DIRECTORIES: JSON.stringify(identity.allowedDirectories),
  };
}

/**
 * Layers the environment. `settingsEnv` is `UnitSettings.env`, which already holds `agent.env`
 * overridden by the unit's `env`.
 */
export function agentEnvironment(
  workerEnv: Readonly<Record<string, string | undefined>>,
  settingsEnv: Readonly<Record<string, string>>,
  identity: AgentIdentity,
  paths: NamespacePaths,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(workerEnv)) {
    if (value !== undefined) env[name] = value;
  }
  return { ...env, ...settingsEnv, ...fanoutVariables(identity, paths) };
}
