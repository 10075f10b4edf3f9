/**
 * The fan-out workflow in git mode (SPEC §9) on the real dev server, worker, git and agents: each
 * unit starts from its dependencies' and its serialized predecessors' outputs, the integration
 * holds every SUCCEEDED unit's output, the run's branch points at it, the result names every
 * commit, and the source checkout's work tree is untouched.
 */
import { readProgress, awaitResult } from '../../src/client/fanout-client';
import { unitRef, integrationRef } from '../../src/contracts/git';
import type { FanoutResult } from '../../src/plan/types';
import { useFanoutWorker } from '../helpers/fanout-worker';
import { testPlan, testUnit } from '../helpers/plan-factory';
import { replayHistories } from '../helpers/replay';
import { FAKE_AGENT } from '../helpers/scenario-runner';
import {
  filesOf,
  gitIn,
  gitRunInput,
  isAncestor,
  scheduledAttempts,
  sourceRepo,
  startGitRun,
  useWorktreeFolder,
} from './git-run-helpers';

useWorktreeFolder();
const fixture = useFanoutWorker('git-run');

const agent = (...actions: string[]) => [FAKE_AGENT, ...actions, '--artifact', 'report.md'];

function eventIndex(result: FanoutResult, type: string, unitId: string): number {
  return result.events.findIndex(
    (event) => event.type === type && 'unit_id' in event && event.unit_id === unitId,
  );
}

describe('a git run whose join depends on two units', () => {
  const workflowId = `git-join-${Date.now().toString(36)}`;
  let repo: string;
  let base: string;
  let result: FanoutResult;
  let attempts: ReturnType<typeof scheduledAttempts>;

  beforeAll(async () => {
    ({ repo, base } = sourceRepo());
    const plan = testPlan(
      [
        testUnit('a', [], { command: agent('--sleep-ms', '1500', '--write', 'src/a/a.txt', 'from a') }),
        testUnit('b', [], { command: agent('--sleep-ms', '1500', '--write', 'src/b/b.txt', 'from b') }),
        testUnit('c', ['a', 'b'], {
          command: agent(
            '--copy',
            'src/a/a.txt',
            'src/c/saw-a.txt',
            '--copy',
            'src/b/b.txt',
            'src/c/saw-b.txt',
            '--copy',
            'src/d/d.txt',
            'src/c/saw-d.txt',
          ),
        }),
        testUnit('d', [], { command: agent('--write', 'src/d/d.txt', 'from d') }),
      ],
      { name: 'git-join', maxWorkers: 4 },
    );
    const handle = await startGitRun(fixture.client(), {
      plan,
      repo,
      workflowId,
      taskQueue: fixture.taskQueue,
      git: gitRunInput(base, workflowId),
    });
    result = await awaitResult(handle);
    attempts = scheduledAttempts(await handle.fetchHistory());
  }, 180_000);

  it('succeeds and names every unit commit, the integration and the branch in the result', () => {
    expect(result.status).toBe('succeeded');
    const units = ['a', 'b', 'c', 'd'];
    const commits = Object.fromEntries(
      units.map((id) => [id, gitIn(repo, 'rev-parse', unitRef(workflowId, id))]),
    );
    expect(result.git).toEqual({
      base,
      integration: gitIn(repo, 'rev-parse', integrationRef(workflowId)),
      branch: `fanout/${workflowId}`,
      units: commits,
    });
    for (const id of units) expect(result.units[id]?.commit).toBe(commits[id]);
  });

  it("starts the join from its dependencies' outputs and nothing else", () => {
    const commits = result.git?.units ?? {};
    const joinAttempt = attempts.find((input) => input.unit.unitId === 'c');
    expect(joinAttempt?.git?.base).toBe(base);
    expect(joinAttempt?.git?.merges).toEqual([
      { unitId: 'a', sha: commits.a },
      { unitId: 'b', sha: commits.b },
    ]);
    for (const id of ['a', 'b', 'd']) {
      expect(attempts.find((input) => input.unit.unitId === id)?.git?.merges).toEqual([]);
    }
    // d ended before c started, yet c did not see d's file: it is neither a dependency nor overlaps.
    expect(eventIndex(result, 'worker_completed', 'd')).toBeLessThan(
      eventIndex(result, 'worker_started', 'c'),
    );
    const files = filesOf(repo, commits.c as string);
    expect(files['src/c/saw-a.txt']).toBe('from a');
    expect(files['src/c/saw-b.txt']).toBe('from b');
    expect(files['src/c/saw-d.txt']).toBeUndefined();
    expect(files['src/d/d.txt']).toBeUndefined();
  });

  it('integrates every output, and the branch points at the integration', () => {
    const integration = result.git?.integration as string;
    const files = filesOf(repo, integration);
    expect(files).toMatchObject({
      'README.md': 'hello',
      'src/a/a.txt': 'from a',
      'src/b/b.txt': 'from b',
      'src/c/saw-a.txt': 'from a',
      'src/c/saw-b.txt': 'from b',
      'src/d/d.txt': 'from d',
    });
    expect(gitIn(repo, 'rev-parse', `refs/heads/fanout/${workflowId}`)).toBe(integration);
    for (const commit of Object.values(result.git?.units ?? {}))
      expect(isAncestor(repo, commit, integration)).toBe(true);
  });

  it("leaves the source checkout's HEAD, index and work tree alone (only .agent/ is new)", () => {
    expect(gitIn(repo, 'rev-parse', 'HEAD')).toBe(base);
    expect(gitIn(repo, 'status', '--porcelain', '--untracked-files=normal')).toBe('?? .agent/');
  });

  it('shows each unit commit in the progress query', async () => {
    const progress = await readProgress(fixture.client().workflow.getHandle(workflowId));
    for (const unit of progress.units) expect(unit.commit).toBe(result.git?.units[unit.unit_id]);
  });

  it('replays', async () => {
    const history = await fixture.client().workflow.getHandle(workflowId).fetchHistory();
    expect(await replayHistories([{ workflowId, history }])).toEqual([{ workflowId }]);
  });
});

describe('a git run of serialized overlapping units', () => {
  const workflowId = `git-serialize-${Date.now().toString(36)}`;
  let repo: string;
  let result: FanoutResult;
  let attempts: ReturnType<typeof scheduledAttempts>;

  beforeAll(async () => {
    const source = sourceRepo();
    repo = source.repo;
    const shared = { allowedDirectories: ['src/shared'] };
    const plan = testPlan(
      [
        testUnit('second', [], {
          ...shared,
          command: agent('--copy', 'src/shared/one.txt', 'src/shared/two.txt'),
        }),
        testUnit('first', [], { ...shared, command: agent('--write', 'src/shared/one.txt', 'one') }),
      ],
      { name: 'git-serialize', overlap: 'serialize' },
    );
    const handle = await startGitRun(fixture.client(), {
      plan,
      repo,
      workflowId,
      taskQueue: fixture.taskQueue,
      git: gitRunInput(source.base, workflowId),
    });
    result = await awaitResult(handle);
    attempts = scheduledAttempts(await handle.fetchHistory());
  }, 180_000);

  it("starts the second from the first's output, and the integration holds both edits", () => {
    expect(result.status).toBe('succeeded');
    const first = result.units.first?.commit as string;
    const second = result.units.second?.commit as string;
    expect(attempts.find((input) => input.unit.unitId === 'second')?.git?.merges).toEqual([
      { unitId: 'first', sha: first },
    ]);
    expect(isAncestor(repo, first, second)).toBe(true);
    expect(filesOf(repo, second)['src/shared/two.txt']).toBe('one');
    expect(filesOf(repo, result.git?.integration as string)).toMatchObject({
      'src/shared/one.txt': 'one',
      'src/shared/two.txt': 'one',
    });
  });

  it('replays', async () => {
    const history = await fixture.client().workflow.getHandle(workflowId).fetchHistory();
    expect(await replayHistories([{ workflowId, history }])).toEqual([{ workflowId }]);
  });
});
