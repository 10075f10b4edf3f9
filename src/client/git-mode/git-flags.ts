/** The command-line flags of a git-workspace run (SPEC §9), and the checks that need no git. */
import type { WorkspaceMode } from '../../plan/types';
import { UsageError } from '../errors';

export interface GitFlags {
  /** `--workspace`, over the plan's `workspace` key. */
  readonly workspace?: WorkspaceMode;
  /** `--base <rev>`: the commit the run starts from (default HEAD). */
  readonly base?: string;
  /** `--branch <name>`: the branch the run ends on (default `fanout/<plan>-<8 hex>`). */
  readonly branch?: string;
  /** `--into <branch>`: a branch moved to the run's outcome when the run succeeds. */
  readonly into?: string;
  /** `--keep-failed`: a failed attempt's working tree is left on disk. */
  readonly keepFailed?: boolean;
  /** `--remote <url>` (SPEC §10): units run on any host; refs and the branch live on the remote. */
  readonly remote?: string;
  /** `--host-loss-timeout <duration>`, over the plan's `host_loss_timeout`; only with `--remote`. */
  readonly hostLossTimeout?: string;
}

/** The run's mode: `--workspace`, else the plan's key, else shared. */
export function workspaceMode(flags: GitFlags, planMode: WorkspaceMode | undefined): WorkspaceMode {
  return flags.workspace ?? planMode ?? 'shared';
}

/** Refuses `--base`, `--branch`, `--into`, `--keep-failed` and `--remote` in a shared-checkout run. */
export function refuseGitOnlyFlags(flags: GitFlags, mode: WorkspaceMode): void {
  if (mode === 'git') return;
  const given = [
    flags.base !== undefined ? '--base' : undefined,
    flags.branch !== undefined ? '--branch' : undefined,
    flags.into !== undefined ? '--into' : undefined,
    flags.keepFailed === true ? '--keep-failed' : undefined,
    flags.remote !== undefined ? '--remote' : undefined,
  ].filter((flag): flag is string => flag !== undefined);
  if (given.length === 0) return;
  const one = given.length === 1;
  throw new UsageError(
    `${given.join(', ')} ${one ? 'applies' : 'apply'} only to git workspaces and this run uses the shared checkout; ` +
      `add --workspace git (or workspace: git in the plan), or leave ${one ? 'it' : 'them'} out`,
  );
}
