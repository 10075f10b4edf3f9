/**
 * The activities after a git unit's attempt (SPEC §9 "Refs", "End"): merging outputs into the
 * run's integration ref by compare-and-swap, and pointing the run's branch at the integration.
 * Real git, the activities run in a mock activity environment.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { DefaultLogger } from '@temporalio/worker';
import { createActivities } from '../../../src/activities';
import type {
  FinishGitAnswer,
  FinishGitInput,
  IntegrateAnswer,
  IntegrateInput,
} from '../../../src/contracts/git';
import { IDENTITY, commitFiles } from '../../git/git-repo';
import { gitFixture, gitIn, refValue, removeGitFixtures, type GitFixture } from './git-fixture';

afterAll(removeGitFixtures);

const INTEGRATION_REF = 'refs/fanout/fanout-test-run/integration';

const QUIET = { logger: new DefaultLogger('ERROR') };

function integrateUnit(input: IntegrateInput): Promise<IntegrateAnswer> {
  return new MockActivityEnvironment(undefined, QUIET).run(createActivities().integrateUnit, input);
}

function finishGitRun(input: FinishGitInput): Promise<FinishGitAnswer> {
  return new MockActivityEnvironment(undefined, QUIET).run(createActivities().finishGitRun, input);
}

function integrateInput(
  fixture: GitFixture,
  unitId: string,
  integration: string,
  output: string,
): IntegrateInput {
  return { repo: fixture.source, runId: 'fanout-test-run', unitId, integration, output, identity: IDENTITY };
}

describe('integrateUnit', () => {
  it('fast-forwards to the first output, merges the next, and a repeated call changes nothing', async () => {
    const fixture = gitFixture();
    const a = commitFiles(fixture.source, { 'src/a/f.txt': 'a\n' }, 'a', fixture.base);
    const b = commitFiles(fixture.source, { 'src/b/f.txt': 'b\n' }, 'b', fixture.base);
    const integrate = integrateUnit;

    expect(await integrate(integrateInput(fixture, 'a', fixture.base, a))).toEqual({
      kind: 'integrated',
      integration: a,
    });
    expect(refValue(fixture, INTEGRATION_REF)).toBe(a);

    const second = await integrate(integrateInput(fixture, 'b', a, b));
    const merged = second.kind === 'integrated' ? second.integration : '';
    expect(gitIn(fixture.source, 'rev-parse', `${merged}^1`, `${merged}^2`)).toBe(`${a}\n${b}`);
    expect(refValue(fixture, INTEGRATION_REF)).toBe(merged);
    expect(gitIn(fixture.source, 'log', '-1', '--format=%B', merged)).toBe(
      'Integrate b\n\nFanout-Run: fanout-test-run\nFanout-Unit: b',
    );

    expect(await integrate(integrateInput(fixture, 'b', a, b))).toEqual(second);
    expect(refValue(fixture, INTEGRATION_REF)).toBe(merged);
  });

  it('answers a conflict with its paths and leaves the ref where it was', async () => {
    const fixture = gitFixture();
    const a = commitFiles(fixture.source, { 'README.md': 'a\n' }, 'a', fixture.base);
    const b = commitFiles(fixture.source, { 'README.md': 'b\n' }, 'b', fixture.base);
    const integrate = integrateUnit;
    await integrate(integrateInput(fixture, 'a', fixture.base, a));

    expect(await integrate(integrateInput(fixture, 'b', a, b))).toEqual({
      kind: 'conflict',
      paths: ['README.md'],
    });
    expect(refValue(fixture, INTEGRATION_REF)).toBe(a);
  });

  it('fails, never retried, when the integration ref was moved by someone else', async () => {
    const fixture = gitFixture();
    const a = commitFiles(fixture.source, { 'src/a/f.txt': 'a\n' }, 'a', fixture.base);
    const b = commitFiles(fixture.source, { 'src/b/f.txt': 'b\n' }, 'b', fixture.base);
    const stranger = commitFiles(fixture.source, { 'x.txt': 'x\n' }, 'x', fixture.base);
    gitIn(fixture.source, 'update-ref', INTEGRATION_REF, stranger);

    const error = await integrateUnit(integrateInput(fixture, 'b', a, b)).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApplicationFailure);
    expect(error).toMatchObject({ type: 'IntegrationRefMoved', nonRetryable: true });
    expect(refValue(fixture, INTEGRATION_REF)).toBe(stranger);
  });
});

describe('finishGitRun', () => {
  function finishInput(fixture: GitFixture, integration: string, into?: string): FinishGitInput {
    return {
      repo: fixture.source,
      runId: 'fanout-test-run',
      base: fixture.base,
      integration,
      branch: 'fanout/demo-0123abcd',
      ...(into === undefined ? {} : { into }),
      identity: IDENTITY,
    };
  }

  it('points the run branch at the integration, and a repeated call is fine', async () => {
    const fixture = gitFixture();
    const integration = commitFiles(fixture.source, { 'src/a/f.txt': 'a\n' }, 'a', fixture.base);
    const finish = finishGitRun;

    expect(await finish(finishInput(fixture, integration))).toEqual({ branch: 'fanout/demo-0123abcd' });
    expect(await finish(finishInput(fixture, integration))).toEqual({ branch: 'fanout/demo-0123abcd' });
    expect(refValue(fixture, 'refs/heads/fanout/demo-0123abcd')).toBe(integration);
  });

  it('fast-forwards --into when that branch has not moved since the base', async () => {
    const fixture = gitFixture();
    gitIn(fixture.source, 'branch', 'release', fixture.base);
    const integration = commitFiles(fixture.source, { 'src/a/f.txt': 'a\n' }, 'a', fixture.base);

    const answer = await finishGitRun(finishInput(fixture, integration, 'release'));

    expect(answer.into).toMatchObject({ branch: 'release', outcome: 'fast-forward' });
    expect(refValue(fixture, 'refs/heads/release')).toBe(integration);
  });

  it('fails, never retried, when the run branch exists at another commit, and leaves it alone', async () => {
    const fixture = gitFixture();
    gitIn(fixture.source, 'branch', 'fanout/demo-0123abcd', fixture.base);
    const integration = commitFiles(fixture.source, { 'src/a/f.txt': 'a\n' }, 'a', fixture.base);

    const error = await finishGitRun(finishInput(fixture, integration)).catch((e: unknown) => e);

    expect(error).toMatchObject({ type: 'RunBranchTaken', nonRetryable: true });
    expect((error as Error).message).toContain("branch 'fanout/demo-0123abcd' already exists");
    expect(refValue(fixture, 'refs/heads/fanout/demo-0123abcd')).toBe(fixture.base);
  });
});
