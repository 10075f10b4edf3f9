/** `retry` of a run on many hosts (SPEC §10) keeps its remote, from a machine with no checkout. */
import type { GitRunInput } from '../../../src/contracts/git';
import { UsageError } from '../../../src/client/errors';
import { defaultBranch } from '../../../src/client/git-mode/ref-names';
import { gitForRetry } from '../../../src/client/git-mode/retry-git';
import type { Plan } from '../../../src/plan/types';
import { accepted, goodUnit, validateObject } from '../../plan/helpers/plan-files';
import { gitIn, removeRepos } from './git-repos';
import { bareRemote, refsOf } from './remote-repos';

afterAll(removeRepos);

const plan: Plan = accepted(validateObject({ name: 'codemod', work_units: [goodUnit('a')] })).plan;
const NOW = new Date('2026-12-03T12:00:00.000Z');
const NEW_ID = 'fanout-codemod-1-retry-abcdef';

function oldRun(base: string, remote: string): GitRunInput {
  return {
    base,
    branch: 'fanout/codemod-00000000',
    into: 'main',
    keepFailed: true,
    identity: { name: 'agent-fanout', email: 'agent-fanout@localhost', date: '2026-12-01T00:00:00.000Z' },
    remote,
    hostLossTimeoutMs: 45_000,
  };
}

const request = {
  oldWorkflowId: 'fanout-codemod-1',
  // The old run's checkout, on another machine: a remote retry never looks for it.
  repo: '/nonexistent/checkout',
  plan,
  workflowId: NEW_ID,
  now: NOW,
};

describe('gitForRetry of a remote run', () => {
  it('keeps the remote, host_loss_timeout, base, --into and --keep-failed, and pushes nothing', async () => {
    const { remote, head } = bareRemote();
    const before = refsOf(remote);
    const settings = await gitForRetry(oldRun(head, remote), request);
    expect(settings).toEqual({
      git: {
        base: head,
        branch: defaultBranch('codemod', NEW_ID),
        into: 'main',
        keepFailed: true,
        identity: { name: 'agent-fanout', email: 'agent-fanout@localhost', date: NOW.toISOString() },
        remote,
        hostLossTimeoutMs: 45_000,
      },
    });
    expect(refsOf(remote)).toBe(before);
  });

  it('checks the new branch on the remote', async () => {
    const { remote, head } = bareRemote();
    gitIn(remote, 'update-ref', 'refs/heads/review', head);
    const error = await gitForRetry(oldRun(head, remote), { ...request, branch: 'review' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/^branch 'review' already exists on the remote /);
  });
});
