/**
 * Git workspaces (SPEC §9): what the client, the workflow and the activities exchange about a
 * `workspace: git` run. Plain JSON data only; the workflow keeps SHAs, never runs git.
 */

/** Who made a commit agent-fanout writes, and when: derived from the run, never the clock (§9). */
export interface CommitIdentity {
  readonly name: string;
  readonly email: string;
  /** ISO time the client started the run; every commit of the run carries it. */
  readonly date: string;
}

/** A `workspace: git` run's settings, resolved by the client and stored in the run. */
export interface GitRunInput {
  /** The SHA the run starts from (`--base`, default HEAD of the checkout). */
  readonly base: string;
  /** Full branch name the integration ends on, e.g. `fanout/<name>-<8 hex>` or `--branch`. */
  readonly branch: string;
  /** `--into <branch>`: the branch moved to the integration at the end, when the run succeeded. */
  readonly into?: string;
  /** `--keep-failed`: a failed attempt's working tree is left on disk. */
  readonly keepFailed: boolean;
  readonly identity: CommitIdentity;
  /**
   * `--remote <url>` (SPEC §10): workers fetch from and push to it; refs and the branch live there,
   * and the source checkout (`FanoutInput.repo`) may be absent ('').
   */
  readonly remote?: string;
  /** SPEC §10 `host_loss_timeout` in ms (plan key or `--host-loss-timeout`); set with `remote`. */
  readonly hostLossTimeoutMs?: number;
}

/** One commit merged into a unit's starting point, in unit_id order (SPEC §9, "A unit's starting point"). */
export interface StartingInput {
  readonly unitId: string;
  readonly sha: string;
}

/** What a git-mode attempt needs beyond a shared-mode one; its `repo` is the source checkout. */
export interface GitAttempt {
  readonly base: string;
  /** The run's `--remote` (SPEC §10): the attempt fetches its inputs from it and pushes its refs there. */
  readonly remote?: string;
  /** Outputs of its dependencies and of SUCCEEDED overlapping units, sorted by unit_id. */
  readonly merges: readonly StartingInput[];
  readonly keepFailed: boolean;
  readonly identity: CommitIdentity;
}

/** What a git-mode attempt made: its starting point and its output commit (the ref it set). */
export interface GitAttemptOutput {
  readonly start: string;
  readonly output: string;
  /** Absolute path of the working tree the agent ran in (removed by now unless kept). */
  readonly worktree: string;
}

/** Merging one SUCCEEDED unit's output into the run's integration (completion order). */
export interface IntegrateInput {
  readonly repo: string;
  /** SPEC §10: merge in the worker's clone of the remote and push the integration ref there. */
  readonly remote?: string;
  readonly runId: string;
  readonly unitId: string;
  /** The integration commit so far (the base before the first). */
  readonly integration: string;
  readonly output: string;
  readonly identity: CommitIdentity;
}

export type IntegrateAnswer =
  | { readonly kind: 'integrated'; readonly integration: string }
  | { readonly kind: 'conflict'; readonly paths: readonly string[] };

/** The end of a git run: its branch, and `--into`. */
export interface FinishGitInput {
  readonly repo: string;
  /** SPEC §10: the branch (and `--into`) are moved on the remote. */
  readonly remote?: string;
  readonly runId: string;
  readonly base: string;
  readonly integration: string;
  readonly branch: string;
  /** Only given when the run succeeded. */
  readonly into?: string;
  readonly identity: CommitIdentity;
}

export type IntoOutcome = 'fast-forward' | 'merge' | 'conflict' | 'unchanged' | 'created';

export interface FinishGitAnswer {
  readonly branch: string;
  readonly into?: { readonly branch: string; readonly outcome: IntoOutcome; readonly message: string };
}

/** The result's `git` (SPEC §9 "End"). */
export interface GitRunResult {
  readonly base: string;
  readonly integration: string;
  readonly branch: string;
  readonly units: Readonly<Record<string, string>>;
  readonly into?: FinishGitAnswer['into'];
}

/** `refs/fanout/<workflow id>/…` (SPEC §9 "Refs"). */
export function unitRef(runId: string, unitId: string): string {
  return `refs/fanout/${runId}/units/${unitId}`;
}

export function integrationRef(runId: string): string {
  return `refs/fanout/${runId}/integration`;
}
