/**
 * Helpers of the git-mode workflow tests: a source checkout with one commit, a folder of working
 * trees of the test's own, a run started with `FanoutInput.git` as the client builds it, and the
 * attempt inputs the workflow scheduled (read back from its history).
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { AttemptInput } from '../../src/activities/types';
import type { GitRunInput } from '../../src/contracts/git';
import type { FanoutInput } from '../../src/contracts/run-types';
import type { Plan } from '../../src/plan/types';
import { WORKFLOW_TASK_TIMEOUT } from '../../src/workflows/history-budget';
import { IDENTITY, filesOf, gitIn, makeRepo, removeRepo, write } from '../git/git-repo';

export { filesOf, gitIn };

const made: string[] = [];

/** A source checkout on main with `README.md` and `src/keep.txt` committed; returns it and its base. */
export function sourceRepo(): { repo: string; base: string } {
  const repo = makeRepo('fanout-gitwf-');
  write(repo, { 'README.md': 'hello\n', 'src/keep.txt': 'kept\n' });
  gitIn(repo, 'add', '.');
  gitIn(repo, 'commit', '-q', '-m', 'base');
  made.push(repo);
  return { repo, base: gitIn(repo, 'rev-parse', 'HEAD') };
}

/** Points FANOUT_WORKTREES (read by the in-process worker) at a folder of this file's own. */
export function useWorktreeFolder(): void {
  const before = process.env.FANOUT_WORKTREES;
  const folder = realpathSync(mkdtempSync(path.join(tmpdir(), 'fanout-gitwf-trees-')));
  process.env.FANOUT_WORKTREES = folder;
  afterAll(() => {
    if (before === undefined) delete process.env.FANOUT_WORKTREES;
    else process.env.FANOUT_WORKTREES = before;
    rmSync(folder, { recursive: true, force: true });
    for (const repo of made.splice(0)) removeRepo(repo);
  });
}

export function gitRunInput(base: string, workflowId: string, extra: Partial<GitRunInput> = {}): GitRunInput {
  return { base, branch: `fanout/${workflowId}`, keepFailed: false, identity: IDENTITY, ...extra };
}

export interface GitRunStart {
  readonly plan: Plan;
  readonly repo: string;
  readonly workflowId: string;
  readonly taskQueue: string;
  readonly git: GitRunInput;
  readonly retryOf?: FanoutInput['retryOf'];
  readonly historyEventLimit?: number;
}

/** Starts the fan-out workflow in git mode, as `agent-fanout run --workspace git` would. */
export function startGitRun(client: Client, start: GitRunStart) {
  const input: FanoutInput = {
    plan: start.plan,
    repo: start.repo,
    git: start.git,
    ...(start.retryOf === undefined ? {} : { retryOf: start.retryOf }),
    ...(start.historyEventLimit === undefined ? {} : { historyEventLimit: start.historyEventLimit }),
  };
  return client.workflow.start('fanoutWorkflow', {
    workflowId: start.workflowId,
    taskQueue: start.taskQueue,
    args: [input],
    workflowTaskTimeout: WORKFLOW_TASK_TIMEOUT,
  });
}

/** Every `runAgentAttempt` input the workflow scheduled in one history, in order. */
export function scheduledAttempts(history: temporal.api.history.v1.IHistory): AttemptInput[] {
  return (history.events ?? []).flatMap((event) => {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'runAgentAttempt') return [];
    const payload = scheduled.input?.payloads?.[0];
    return payload === undefined ? [] : [defaultPayloadConverter.fromPayload<AttemptInput>(payload)];
  });
}

export function isAncestor(repo: string, ancestor: string, descendant: string): boolean {
  try {
    gitIn(repo, 'merge-base', '--is-ancestor', ancestor, descendant);
    return true;
  } catch {
    return false;
  }
}
