/**
 * Issue 15 "Done when", SPEC §4.4 in git mode: a worker killed with SIGKILL (a) while its agents
 * run — a new worker adopts them in the same working trees — and (b) right after an agent
 * succeeded but before its ref moved (the test-only pause of src/activities/git-workspace/test-pause.ts
 * holds it there) — the retried activity commits once. Each run ends with exactly one commit per
 * unit, and every agent started once. Real worker processes, real dev server, real git.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { testClient, testServer } from '../helpers/temporal';
import { FAKE_AGENT } from '../helpers/scenario-runner';
import { liveMembers } from '../activities/helpers';
import { gitIn, refTarget, refsUnder, treeFiles, workingTreesLeft } from '../helpers/git-repo';
import { killWorker, reapEverything, requireBuiltCli, startWorkerProcess, waitFor } from '../crash/helpers';
import {
  agentLogsUnder,
  attemptRecordsUnder,
  gitTestDirs,
  reapGitAgents,
  removeGitTestDirs,
  runGit,
  runId,
  startLines,
  writePlan,
  type GitTestDirs,
} from './git-harness';
import type { FanoutResult } from '../../src/plan/types';

/** The test-only pause of src/activities/git-workspace/test-pause.ts (its PAUSE_BEFORE_REF_VARIABLE). */
const PAUSE_BEFORE_REF_VARIABLE = 'FANOUT_TEST_PAUSE_BEFORE_REF';

let client: Client;
beforeAll(async () => {
  requireBuiltCli();
  client = await testClient();
});
afterEach(async () => {
  await reapEverything();
  await reapGitAgents();
});
afterAll(async () => {
  await client?.connection.close();
  await reapEverything();
  await removeGitTestDirs();
});

function tickingPlan(dirs: GitTestDirs, name: string, units: string[], ticks: number): string {
  return writePlan(
    dirs,
    name,
    units.map((unitId) => ({ unit_id: unitId, allowed_directories: [`src/${unitId}`] })),
    {
      agent: {
        command: [
          FAKE_AGENT,
          '--count',
          dirs.starts,
          '--ticks',
          String(ticks),
          '500',
          '--write',
          'src/{unit_id}/done.txt',
          'done',
          '--artifact',
          'out.md',
        ],
        timeout: '10m',
        idle_timeout: '10m',
        grace: '1s',
      },
    },
  );
}

/** Exactly one commit per unit on the base, all in the integration, one ref each, no tree left. */
function expectOneCommitPerUnit(dirs: GitTestDirs, id: string, result: FanoutResult, units: string[]): void {
  expect(result.status).toBe('succeeded');
  const git = result.git;
  if (git === undefined) throw new Error('the result has no git section');
  for (const unitId of units) {
    const commit = result.units[unitId]?.commit ?? '';
    expect(result.units[unitId]).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    expect(gitIn(dirs.repo, ['rev-list', '--count', `${dirs.base}..${commit}`])).toBe('1');
    expect(gitIn(dirs.repo, ['log', '-1', '--format=%B', commit])).toContain(`Fanout-Unit: ${unitId}`);
    expect(refTarget(dirs.repo, `refs/fanout/${id}/units/${unitId}`)).toBe(commit);
  }
  expect(gitIn(dirs.repo, ['rev-list', '--no-merges', '--count', `${dirs.base}..${git.integration}`])).toBe(
    String(units.length),
  );
  expect(treeFiles(dirs.repo, git.integration)).toEqual([
    'README.md',
    ...units.map((u) => `src/${u}/done.txt`),
  ]);
  expect(Object.keys(refsUnder(dirs.repo, `refs/fanout/${id}/`)).sort()).toEqual(
    [`refs/fanout/${id}/integration`, ...units.map((u) => `refs/fanout/${id}/units/${u}`)].sort(),
  );
  expect(startLines(dirs).sort()).toEqual(units.map((u) => `${u} attempt=1`));
  expect(workingTreesLeft(dirs.worktrees)).toEqual([]);
}

describe('git mode: a worker killed with SIGKILL while its agents run', () => {
  it('has them adopted in their working trees: one start and one commit per unit', async () => {
    const { address } = testServer();
    const id = runId('crash-running');
    const dirs = gitTestDirs('crash-running');
    const units = ['a', 'b', 'c'];
    const first = await startWorkerProcess(address, id, { logDir: dirs.dir });
    const running = runGit(dirs, tickingPlan(dirs, 'crash-running', units, 24), id, id);
    await waitFor(
      'every agent at tick 3',
      () => {
        const logs = agentLogsUnder(dirs.worktrees);
        return units.every((u) => logs.get(u)?.includes('tick 3\n')) ? true : undefined;
      },
      90_000,
    );
    const records = attemptRecordsUnder(dirs.worktrees);
    expect(records).toHaveLength(3);

    await killWorker(first);
    for (const record of records) expect((await liveMembers(record.pgid)).length).toBeGreaterThan(0);
    await startWorkerProcess(address, id, { logDir: dirs.dir });
    const { run, result } = await running;

    expect(run.code).toBe(0);
    expectOneCommitPerUnit(dirs, id, result, units);
    for (const record of records) expect(await liveMembers(record.pgid)).toEqual([]);
  });
});

describe('git mode: a worker killed after its agent succeeded, before the unit ref moved', () => {
  it('has the retried activity commit once: the agent started once, one commit', async () => {
    const { address } = testServer();
    const id = runId('crash-before-ref');
    const dirs = gitTestDirs('crash-before-ref');
    const pauses = join(dirs.dir, 'pauses');
    mkdirSync(pauses);
    const first = await startWorkerProcess(address, id, {
      logDir: dirs.dir,
      env: { ...process.env, [PAUSE_BEFORE_REF_VARIABLE]: pauses },
    });
    const running = runGit(dirs, tickingPlan(dirs, 'crash-before-ref', ['a'], 2), id, id);
    const marker = join(pauses, 'a-1');
    await waitFor('the pause before the ref', () => (existsSync(marker) ? true : undefined), 90_000);
    expect(startLines(dirs)).toEqual(['a attempt=1']);
    expect(refsUnder(dirs.repo, `refs/fanout/${id}/units/`)).toEqual({});

    await killWorker(first);
    await startWorkerProcess(address, id, { logDir: dirs.dir });
    const { run, result } = await running;

    expect(run.code).toBe(0);
    expectOneCommitPerUnit(dirs, id, result, ['a']);
  });
});
