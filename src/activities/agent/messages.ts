/**
 * The exact texts of SPEC §4.1 and §4.2, one function per condition. Tests compare them with
 * literals copied from the SPEC, never with these functions.
 */

/** The agent binary does not exist or is not on PATH. */
export function agentNotFound(binary: string): string {
  return `Could not find the '${binary}' CLI on PATH.`;
}

/** Spawning failed for another reason; `osError` is the runtime's description of it. */
export function agentStartFailed(osError: string): string {
  return `Failed to start subprocess: ${osError}`;
}

/** The attempt ran past `timeout`; `duration` as written in the plan. */
export function agentTimedOut(unitId: string, duration: string): string {
  return `Worker '${unitId}' timed out after ${duration}`;
}

/** The agent printed nothing for `idle_timeout`; `duration` as written in the plan. */
export function agentIdle(unitId: string, duration: string): string {
  return `Worker '${unitId}' produced no output for ${duration}`;
}

/** Non-zero exit; `lastLine` is already stripped, trimmed and cut (see output-tail.ts). */
export function agentExited(unitId: string, exitCode: number, lastLine: string | null): string {
  const base = `Worker '${unitId}' exited with code ${exitCode}`;
  return lastLine ? `${base}: ${lastLine}` : base;
}

/** Exit 0 without any counted file in `artifacts/`; `artifactDir` is absolute. */
export function noEvidence(unitId: string, artifactDir: string, exitCode: number): string {
  return `Worker '${unitId}' produced no worker-local artifact evidence under ${artifactDir} (exit_code=${exitCode})`;
}

/** An allowed directory (`raw`, as written) resolves outside the repo root. */
export function directoryEscape(raw: string, repoRoot: string): string {
  return `allowed_directory '${raw}' escapes repo_root ${repoRoot}`;
}

/** SPEC §8.4: agent-fanout was about to write through `path`, a symbolic link. */
export function symbolicLinkRefused(path: string): string {
  return `'${path}' is a symbolic link; agent-fanout does not write through links. Remove it and retry.`;
}
