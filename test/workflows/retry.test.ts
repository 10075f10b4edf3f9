/**
 * `retry`: a new run linked to the old one reuses the units that succeeded (their evidence checked
 * again on disk) and runs every other unit, against the real server, worker and agents.
 */
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { awaitResult, startRun } from '../../src/client/fanout-client';
import { retryRun } from '../../src/client/run/retry-run';
import { useFanoutWorker } from '../helpers/fanout-worker';
import { testPlan, testUnit } from '../helpers/plan-factory';
import { replayWorkflows } from '../helpers/replay';
import { FAKE_AGENT } from '../helpers/scenario-runner';

const fixture = useFanoutWorker('retry');
const { taskQueue } = fixture;

describe('retry', () => {
  it('reuses intact successes, re-runs failed, blocked and evidence-less units, and links the old run', async () => {
    const repo = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-retry-')));
    const counted = (...rest: string[]): string[] => [FAKE_AGENT, '--count', 'counts.txt', ...rest];
    // b fails until the file `ready` exists, so the plan itself stays the same across both runs.
    const flaky = [
      '/bin/sh',
      '-c',
      'echo "b attempt=$FANOUT_ATTEMPT" >> counts.txt; test -f ready || exit 3; echo ok > "$FANOUT_ARTIFACT_DIR/b.md"',
    ];
    const plan = testPlan(
      [
        testUnit('a', [], { command: counted('--artifact', 'a.md') }),
        testUnit('b', [], { command: flaky }),
        testUnit('c', ['a', 'b'], { command: counted('--artifact', 'c.md') }),
        testUnit('d', [], { command: counted('--artifact', 'd.md') }),
      ],
      { name: 'retry', onFailure: 'continue' },
    );
    const oldId = `retry-old-${Date.now().toString(36)}`;
    const first = await awaitResult(
      await startRun(fixture.client(), { plan, repo, taskQueue, workflowId: oldId }),
    );
    expect(Object.fromEntries(Object.entries(first.units).map(([id, u]) => [id, u.status]))).toEqual({
      a: 'SUCCEEDED',
      b: 'FAILED',
      c: 'BLOCKED',
      d: 'SUCCEEDED',
    });

    rmSync(path.join(repo, '.agent/workers/d/artifacts/d.md'));
    writeFileSync(path.join(repo, 'ready'), 'yes\n');
    const newId = `${oldId}-retry`;
    const second = await awaitResult(await retryRun(fixture.client(), oldId, { workflowId: newId }));

    expect(second.status).toBe('succeeded');
    expect(second.retry_of).toBe(oldId);
    expect(second.units.a).toMatchObject({
      status: 'SUCCEEDED',
      attempts: 0,
      reused_from: oldId,
      artifacts: first.units.a?.artifacts,
    });
    for (const id of ['b', 'c', 'd'])
      expect(second.units[id]).toMatchObject({ status: 'SUCCEEDED', attempts: 1 });
    expect(second.events).toContainEqual({
      type: 'worker_completed',
      unit_id: 'a',
      exit_code: 0,
      reused_from: oldId,
    });
    expect(
      second.events.filter((e) => e.type === 'worker_started').map((e) => ('unit_id' in e ? e.unit_id : '')),
    ).toEqual(['b', 'd', 'c']);
    const counts = readFileSync(path.join(repo, 'counts.txt'), 'utf8').trim().split('\n').sort();
    expect(counts).toEqual([
      'a attempt=1',
      'b attempt=1',
      'b attempt=1',
      'c attempt=1',
      'd attempt=1',
      'd attempt=1',
    ]);
    expect(readFileSync(path.join(repo, '.agent/DEVELOPMENT_RESULT.md'), 'utf8')).toContain(
      `- retry_of: ${oldId}`,
    );

    const outcomes = await replayWorkflows(fixture.client(), [oldId, newId]);
    expect(outcomes).toEqual([{ workflowId: oldId }, { workflowId: newId }]);
  });

  it('refuses to retry a run that is still running', async () => {
    const repo = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-retry-')));
    const plan = testPlan(
      [testUnit('slow', [], { command: [FAKE_AGENT, '--sleep-ms', '4000', '--artifact', 'x.md'] })],
      { name: 'retry-busy' },
    );
    const busyId = `retry-busy-${Date.now().toString(36)}`;
    const handle = await startRun(fixture.client(), { plan, repo, taskQueue, workflowId: busyId });
    await expect(retryRun(fixture.client(), busyId, { workflowId: `${busyId}-retry` })).rejects.toThrow(
      /is still running/,
    );
    expect((await awaitResult(handle)).status).toBe('succeeded');
  });
});
