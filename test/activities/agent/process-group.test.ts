import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { isGroupAlive, stopProcessGroup } from '../../../src/activities/agent/process-group';
import {
  FAKE,
  groupSignalProbe,
  reapGroups,
  trackGroup,
  liveMembers,
  makeRepo,
  removeRepos,
  waitForPid,
} from '../helpers';

afterEach(reapGroups);
afterAll(removeRepos);

/** Starts the fake agent as a group leader with the given actions; resolves once its grandchild runs. */
async function startGroup(actions: string[]): Promise<{ pgid: number; child: number }> {
  const repo = await makeRepo();
  const agent = spawn(FAKE, [...actions, '--spawn-grandchild', 'child.pid', '--sleep-ms', '30000'], {
    cwd: repo,
    detached: true,
    stdio: 'ignore',
  });
  const pgid = agent.pid ?? -1;
  trackGroup(pgid);
  return { pgid, child: await waitForPid(join(repo, 'child.pid')) };
}

describe('stopProcessGroup', () => {
  it('ends a group that honours SIGTERM without waiting for the grace', async () => {
    const { pgid } = await startGroup([]);
    const report = await stopProcessGroup(pgid, 5000);
    expect(report).toMatchObject({ pgid, signals: ['SIGTERM'], gone: true });
    expect(report.elapsedMs).toBeLessThan(5000); // no wait for the 5 s grace
    expect(await liveMembers(pgid)).toEqual([]);
    expect(await groupSignalProbe(pgid)).toBe('ESRCH');
  });

  it('SIGKILLs a group that ignores SIGTERM once the grace has passed', async () => {
    const { pgid } = await startGroup(['--ignore-term']);
    const report = await stopProcessGroup(pgid, 600);
    expect(report.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(report.gone).toBe(true);
    expect(report.elapsedMs).toBeGreaterThanOrEqual(550);
    expect(await liveMembers(pgid)).toEqual([]);
  });

  it('does nothing and never throws for a group that is gone or an unsafe id', async () => {
    for (const pgid of [0, 1, -5, 1.5, 4_000_000]) {
      await expect(stopProcessGroup(pgid, 100)).resolves.toMatchObject({ signals: [], gone: true });
    }
    expect(await isGroupAlive(0)).toBe(false);
  });
});
