/**
 * Issue 17 "Done when", SPEC §10: a worker that cannot reach the remote (its git rewrites the
 * remote's URL to a path that does not exist, through its own GIT_CONFIG_GLOBAL) fails its attempts
 * as infrastructure failures whose message names the remote (read from the workflow history), no
 * agent attempt is consumed, and the other worker carries the run. Host C is alone on the queue
 * until its first attempt failed, so the failure is certain to be seen; then host A joins.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { requireBuiltCli } from '../client/helpers/built-cli';
import { uniqueTaskQueue } from '../helpers/fanout-worker';
import { remoteRunProblems } from '../helpers/hosts-checks';
import {
  agentStarts,
  hostsRunId,
  hostsTestDirs,
  removeHostsTestDirs,
  runRemote,
  writeHostsPlan,
  outcomeOf,
  SUCCEEDED,
} from '../helpers/hosts-harness';
import { reapHosts, startHostWorker, waitUntil } from '../helpers/hosts-workers';
import { testClient } from '../helpers/temporal';

let client: Client;
beforeAll(async () => {
  requireBuiltCli();
  client = await testClient();
});
afterEach(reapHosts);
afterAll(async () => {
  await client?.connection.close();
  await reapHosts();
  removeHostsTestDirs();
});

interface FailedActivity {
  readonly activityType: string;
  readonly type: string;
  readonly message: string;
  readonly nonRetryable: boolean;
}

/** Every ActivityTaskFailed of the run so far: its activity type, failure type and message. */
async function failedActivities(workflowId: string): Promise<FailedActivity[]> {
  let history;
  try {
    history = await client.workflow.getHandle(workflowId).fetchHistory();
  } catch {
    return []; // not started yet
  }
  const typeOf = new Map<string, string>();
  const failed: FailedActivity[] = [];
  for (const event of history.events ?? []) {
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) typeOf.set(String(event.eventId), scheduled.activityType?.name ?? '?');
    const attributes = event.activityTaskFailedEventAttributes;
    if (!attributes) continue;
    const failure = attributes.failure;
    failed.push({
      activityType: typeOf.get(String(attributes.scheduledEventId)) ?? '?',
      type: failure?.applicationFailureInfo?.type ?? '?',
      message: failure?.message ?? '',
      nonRetryable: failure?.applicationFailureInfo?.nonRetryable === true,
    });
  }
  return failed;
}

describe('many hosts: a worker that cannot reach the remote', () => {
  it('fails its attempts as infrastructure failures naming the remote; the other worker carries the run', async () => {
    const taskQueue = uniqueTaskQueue('hosts-unreachable');
    const dirs = hostsTestDirs('unreachable', ['host-a', 'host-c']);
    const gitConfig = path.join(dirs.dir, 'host-c.gitconfig');
    writeFileSync(gitConfig, `[url "${path.join(dirs.dir, 'nowhere.git')}"]\n\tinsteadOf = ${dirs.remote}\n`);
    await startHostWorker({
      taskQueue,
      hostId: 'host-c',
      workdir: dirs.workdirs['host-c'] as string,
      env: { GIT_CONFIG_GLOBAL: gitConfig },
    });
    const units = ['u1', 'u2', 'u3', 'u4'];
    const plan = writeHostsPlan(
      dirs,
      'unreachable',
      units.map((unitId) => ({ unit_id: unitId })),
      { ticks: 2, maxWorkers: 4 },
    );
    const id = hostsRunId('unreachable');
    const running = runRemote(dirs, plan, taskQueue, id);
    const attemptFailed = async (): Promise<boolean> =>
      (await failedActivities(id)).some((failed) => failed.activityType === 'runAgentAttempt');
    await waitUntil('an attempt failed on host C', attemptFailed);
    await startHostWorker({ taskQueue, hostId: 'host-a', workdir: dirs.workdirs['host-a'] as string });
    const ran = await running;

    const { result } = ran;

    expect(outcomeOf(ran)).toEqual(SUCCEEDED);
    const attempts = (await failedActivities(id)).filter(
      (failed) => failed.activityType === 'runAgentAttempt',
    );
    expect(attempts.length).toBeGreaterThan(0);
    for (const failed of attempts) {
      expect(failed).toMatchObject({ type: 'RemoteUnreachable', nonRetryable: false });
      expect(failed.message).toContain(`could not reach the remote ${dirs.remote}`);
    }
    for (const unitId of units) expect(result.units[unitId]).toMatchObject({ host: 'host-a', attempts: 1 });
    expect(
      agentStarts(dirs)
        .map((start) => `${start.unitId} ${start.host}`)
        .sort(),
    ).toEqual(units.map((unitId) => `${unitId} host-a`));
    expect(remoteRunProblems(dirs.remote, dirs.base, result)).toEqual([]);
  });
});
