/** `retry` of a git run keeps its settings (SPEC §9 "Retry"); its mode cannot be switched by an edited plan. */
import path from 'node:path';
import type { GitRunInput } from '../../../src/contracts/git';
import { UsageError } from '../../../src/client/errors';
import { gitForRetry, planInRunMode, refuseBranchWithoutGit } from '../../../src/client/git-mode/retry-git';
import { defaultBranch } from '../../../src/client/git-mode/ref-names';
import type { Plan } from '../../../src/plan/types';
import { accepted, goodUnit, validateObject } from '../../plan/helpers/plan-files';
import { gitIn, removeRepos, repoWithCommit } from './git-repos';

afterAll(removeRepos);

const plan: Plan = accepted(validateObject({ name: 'codemod', work_units: [goodUnit('a')] })).plan;
const NOW = new Date('2026-12-03T12:00:00.000Z');

function oldRun(base: string): GitRunInput {
  return {
    base,
    branch: 'fanout/codemod-00000000',
    into: 'main',
    keepFailed: true,
    identity: { name: 'agent-fanout', email: 'agent-fanout@localhost', date: '2026-12-01T00:00:00.000Z' },
  };
}

async function refusal(work: () => unknown): Promise<string> {
  const error = await Promise.resolve()
    .then(work)
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(UsageError);
  return (error as UsageError).message;
}

describe('gitForRetry', () => {
  it('keeps base, --into and --keep-failed; names a new branch after the new run; dates the commits anew', async () => {
    const { repo, head } = repoWithCommit();
    const settings = await gitForRetry(oldRun(head), {
      oldWorkflowId: 'fanout-codemod-1',
      repo,
      plan,
      workflowId: 'fanout-codemod-1-retry-abcdef',
      now: NOW,
    });
    expect(settings.git).toEqual({
      base: head,
      branch: defaultBranch('codemod', 'fanout-codemod-1-retry-abcdef'),
      into: 'main',
      keepFailed: true,
      identity: { name: 'agent-fanout', email: 'agent-fanout@localhost', date: NOW.toISOString() },
    });
  });

  it('takes --branch instead', async () => {
    const { repo, head } = repoWithCommit();
    const request = {
      oldWorkflowId: 'x',
      repo,
      plan,
      workflowId: 'x-retry-1',
      branch: 'review/again',
      now: NOW,
    };
    expect((await gitForRetry(oldRun(head), request)).git.branch).toBe('review/again');
  });

  it('refuses when the old base is gone from the checkout', async () => {
    const { repo } = repoWithCommit();
    const gone = '0123456789abcdef0123456789abcdef01234567';
    const request = { oldWorkflowId: 'fanout-codemod-1', repo, plan, workflowId: 'r', now: NOW };
    expect(await refusal(() => gitForRetry(oldRun(gone), request))).toMatch(
      new RegExp(`^the base ${gone} of run 'fanout-codemod-1' is no longer a commit in .*; start a new run`),
    );
  });

  it('trusts the stored settings when the checkout is on another host', async () => {
    const elsewhere = path.join('/nonexistent', 'checkout');
    const settings = await gitForRetry(oldRun('f'.repeat(40)), {
      oldWorkflowId: 'o',
      repo: elsewhere,
      plan,
      workflowId: 'o-retry-1',
      now: NOW,
    });
    expect(settings.git.base).toBe('f'.repeat(40));
    expect(settings.git.branch).toBe(defaultBranch('codemod', 'o-retry-1'));
  });

  it('refuses a new branch that already exists', async () => {
    const { repo, head } = repoWithCommit();
    gitIn(repo, 'branch', 'taken');
    const request = { oldWorkflowId: 'o', repo, plan, workflowId: 'o-r', branch: 'taken', now: NOW };
    expect(await refusal(() => gitForRetry(oldRun(head), request))).toMatch(/^branch 'taken' already exists/);
  });
});

describe('the mode of a retry', () => {
  it('is the old run’s: a plan without the key takes it', () => {
    expect(planInRunMode(plan, oldRun('b'.repeat(40)), 'o').workspace).toBe('git');
    expect(planInRunMode(plan, undefined, 'o').workspace).toBeUndefined();
  });

  it('refuses an edited plan that names the other mode', async () => {
    expect(
      await refusal(() => planInRunMode({ ...plan, workspace: 'shared' }, oldRun('b'.repeat(40)), 'o')),
    ).toMatch(
      /^the edited plan says workspace: shared, but run 'o' used git workspaces; a retry keeps its run's mode/,
    );
    expect(await refusal(() => planInRunMode({ ...plan, workspace: 'git' }, undefined, 'o'))).toMatch(
      /but run 'o' used the shared checkout/,
    );
  });

  it('refuses --branch for a run of the shared checkout', async () => {
    expect(() => refuseBranchWithoutGit(undefined, 'o')).not.toThrow();
    expect(await refusal(() => refuseBranchWithoutGit('b', 'o'))).toMatch(
      /^--branch applies only to git workspaces/,
    );
  });
});
