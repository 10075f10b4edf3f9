/**
 * A git unit whose output conflicts with the integration fails (SPEC §9) and the run's failure
 * policy follows. Outputs of units with separate areas cannot conflict in a real run, so this
 * worker has the real activities with `integrateUnit` answering a conflict for unit `clash`
 * (the activity's own conflict detection is tested with the git activities).
 */
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { NativeConnection } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { createActivities } from '../../src/activities';
import { awaitResult } from '../../src/client/fanout-client';
import { integrationRef } from '../../src/contracts/git';
import type { FanoutResult } from '../../src/plan/types';
import { testPlan, testUnit } from '../helpers/plan-factory';
import { replayHistories } from '../helpers/replay';
import { FAKE_AGENT } from '../helpers/scenario-runner';
import { testClient, testNativeConnection, testServer } from '../helpers/temporal';
import { uniqueTaskQueue } from '../helpers/fanout-worker';
import { filesOf, gitIn, gitRunInput, sourceRepo, startGitRun, useWorktreeFolder } from './git-run-helpers';

useWorktreeFolder();

const CONFLICT_PATHS = ['src/clash/x.txt', 'src/clash/y.txt'];

describe('a conflict at integration', () => {
  const taskQueue = uniqueTaskQueue('git-conflict');
  const workflowId = `git-conflict-${Date.now().toString(36)}`;
  let connection: NativeConnection;
  let client: Client;
  let worker: Worker;
  let running: Promise<void>;
  let repo: string;
  let base: string;
  let result: FanoutResult;

  beforeAll(async () => {
    connection = await testNativeConnection();
    client = await testClient();
    const real = createActivities();
    worker = await Worker.create({
      connection,
      namespace: testServer().namespace,
      taskQueue,
      workflowsPath: require.resolve('../../src/workflows'),
      activities: {
        ...real,
        integrateUnit: (input: Parameters<typeof real.integrateUnit>[0]) => {
          if (input.unitId === 'clash')
            return Promise.resolve({ kind: 'conflict' as const, paths: CONFLICT_PATHS });
          if (input.unitId === 'broken') {
            return Promise.reject(
              ApplicationFailure.nonRetryable('the integration ref moved', 'IntegrationRefMoved'),
            );
          }
          return real.integrateUnit(input);
        },
      },
    });
    running = worker.run();
    ({ repo, base } = sourceRepo());
    const plan = testPlan(
      [
        testUnit('calm', [], {
          command: [FAKE_AGENT, '--write', 'src/calm/c.txt', 'calm', '--artifact', 'r.md'],
        }),
        testUnit('clash', [], {
          command: [
            FAKE_AGENT,
            '--sleep-ms',
            '1000',
            '--write',
            'src/clash/x.txt',
            'x',
            '--artifact',
            'r.md',
          ],
        }),
        testUnit('after', ['clash'], { command: [FAKE_AGENT, '--artifact', 'r.md'] }),
        testUnit('slow', [], { command: [FAKE_AGENT, '--sleep-ms', '60000', '--artifact', 'r.md'] }),
      ],
      { name: 'git-conflict', onFailure: 'cancel' },
    );
    const handle = await startGitRun(client, {
      plan,
      repo,
      workflowId,
      taskQueue,
      git: gitRunInput(base, workflowId, { into: 'main' }),
    });
    result = await awaitResult(handle);
  }, 180_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
    await client?.connection.close();
  });

  it('fails the unit with the SPEC text, not retried, and applies on_failure: cancel', () => {
    expect(result.status).toBe('failed');
    expect(result.units.clash).toMatchObject({
      status: 'FAILED',
      exit_code: 1,
      attempts: 1,
      error:
        "Worker 'clash' could not be integrated: merging it conflicts in src/clash/x.txt, src/clash/y.txt",
    });
    expect(result.units.clash?.commit).toBeUndefined();
    expect(result.units.after).toMatchObject({ status: 'BLOCKED' });
    expect(result.units.slow).toMatchObject({
      status: 'CANCELLED',
      error: 'Cancelled because another worker failed',
    });
    expect(result.units.calm).toMatchObject({ status: 'SUCCEEDED' });
    const failed = result.events.filter(
      (event) => event.type === 'worker_failed' && event.unit_id === 'clash',
    );
    expect(failed).toHaveLength(1);
  });

  it('keeps the conflicting output out of the integration and the branch, and leaves --into alone', () => {
    const git = result.git;
    expect(git?.units).toEqual({ calm: result.units.calm?.commit });
    expect(git?.integration).toBe(gitIn(repo, 'rev-parse', integrationRef(workflowId)));
    const files = filesOf(repo, git?.integration as string);
    expect(files['src/calm/c.txt']).toBe('calm');
    expect(files['src/clash/x.txt']).toBeUndefined();
    expect(gitIn(repo, 'rev-parse', `refs/heads/fanout/${workflowId}`)).toBe(git?.integration);
    expect(git?.into).toBeUndefined();
    expect(gitIn(repo, 'rev-parse', 'main')).toBe(base);
  });

  it('replays', async () => {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    expect(await replayHistories([{ workflowId, history }])).toEqual([{ workflowId }]);
  });

  it("fails a unit whose merge cannot be made, and warns when the run's branch is taken", async () => {
    const id = `git-broken-${Date.now().toString(36)}`;
    const other = sourceRepo();
    // Someone's branch of the same name, at another commit: the run must not move it.
    const elsewhere = gitIn(other.repo, 'commit-tree', '-m', 'elsewhere', `${other.base}^{tree}`);
    gitIn(other.repo, 'branch', `fanout/${id}`, elsewhere);
    const plan = testPlan(
      [
        testUnit('fine', [], {
          command: [FAKE_AGENT, '--write', 'src/fine/f.txt', 'f', '--artifact', 'r.md'],
        }),
        testUnit('broken', [], {
          command: [
            FAKE_AGENT,
            '--sleep-ms',
            '500',
            '--write',
            'src/broken/b.txt',
            'b',
            '--artifact',
            'r.md',
          ],
        }),
      ],
      { name: 'git-broken', onFailure: 'continue' },
    );
    const handle = await startGitRun(client, {
      plan,
      repo: other.repo,
      workflowId: id,
      taskQueue,
      git: gitRunInput(other.base, id),
    });
    const ended = await awaitResult(handle);
    expect(ended.status).toBe('failed');
    expect(ended.units.broken).toMatchObject({
      status: 'FAILED',
      exit_code: 1,
      error: "Worker 'broken' could not be integrated: the integration ref moved",
    });
    expect(ended.units.fine).toMatchObject({ status: 'SUCCEEDED' });
    expect(gitIn(other.repo, 'rev-parse', `refs/heads/fanout/${id}`)).toBe(elsewhere);
    expect(ended.git?.integration).toBe(gitIn(other.repo, 'rev-parse', integrationRef(id)));
    expect(ended.warnings).toHaveLength(1);
    expect(ended.warnings?.[0]).toContain(`The run's branch 'fanout/${id}' was not set: `);
    expect(ended.warnings?.[0]).toContain(`run \`git branch <name> ${integrationRef(id)}\``);
    const history = await handle.fetchHistory();
    expect(await replayHistories([{ workflowId: id, history }])).toEqual([{ workflowId: id }]);
  }, 180_000);
});
