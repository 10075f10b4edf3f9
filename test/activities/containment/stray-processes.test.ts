/**
 * Nothing outlives its attempt (SPEC §8.3): a `setsid` daemon an agent starts leaves its process
 * group and session, and is still gone once the attempt ends, however it ends; the attempt counts
 * it in `strayProcesses`. The Perl supervisor, a child subreaper, finds and stops it.
 */

import { CancelledFailure } from '@temporalio/common';
import { join } from 'node:path';
import type { AgentFailureDetails } from '../../../src/errors';
import type { SupervisorKind } from '../../../src/activities/agent/agent-process';
import type { AttemptInput } from '../../../src/activities/types';
import {
  AttemptRun,
  FAKE,
  attemptInput,
  expectAgentFailure,
  isLive,
  makeRepo,
  reapGroups,
  removeRepos,
  runAttempt as runWith,
  settings,
  unit,
  waitForPid,
} from '../helpers';

afterEach(reapGroups);
afterAll(removeRepos);

const daemons: number[] = [];
afterEach(() => {
  for (const pid of daemons.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
});

async function daemonPid(repo: string): Promise<number> {
  const pid = await waitForPid(join(repo, 'pids/daemon.pid'));
  daemons.push(pid);
  return pid;
}

const offSettings = (command: string[]) => settings(command, { confinement: 'off' });

describe.each<SupervisorKind>(['perl', 'node'])(
  'a setsid daemon started by the agent (%s supervisor)',
  (supervisor) => {
    const runAttempt = (input: AttemptInput) => runWith(input, { supervisor });
    it('is gone once a successful attempt returns, and is counted', async () => {
      const repo = await makeRepo();
      const command = [FAKE, '--daemon', 'pids/daemon.pid', '--artifact', 'out.md'];
      const success = await runAttempt(attemptInput(repo, unit('a'), offSettings(command)));
      const daemon = await daemonPid(repo);
      expect(success.containment).toEqual({ confinement: 'off', strayProcesses: 1 });
      expect(await isLive(daemon)).toBe(false);
    });

    it('is gone once a failed attempt returns, and is counted in the failure', async () => {
      const repo = await makeRepo();
      const command = [FAKE, '--daemon', 'pids/daemon.pid', '--daemon', 'pids/second.pid', '--exit', '3'];
      const failure = await expectAgentFailure(
        runAttempt(attemptInput(repo, unit('a'), offSettings(command))),
        'AgentExit',
        "Worker 'a' exited with code 3",
        3,
      );
      const daemon = await daemonPid(repo);
      const second = await waitForPid(join(repo, 'pids/second.pid'));
      daemons.push(second);
      const details = failure.details?.[0] as AgentFailureDetails;
      expect(details.containment?.strayProcesses).toBe(2);
      expect(await isLive(daemon)).toBe(false);
      expect(await isLive(second)).toBe(false);
    });

    it('is gone once a cancelled attempt has stopped', async () => {
      const repo = await makeRepo();
      const run = new AttemptRun({ supervisor });
      const command = [FAKE, '--daemon', 'pids/daemon.pid', '--sleep-ms', '60000'];
      const outcome = run.run(attemptInput(repo, unit('a'), offSettings(command))).then(
        () => null,
        (error: unknown) => error,
      );
      await run.running();
      const daemon = await daemonPid(repo);
      expect(await isLive(daemon)).toBe(true);
      run.env.cancel();
      expect(await outcome).toBeInstanceOf(CancelledFailure);
      expect(await isLive(daemon)).toBe(false);
    });

    it('is stopped even when it ignores SIGTERM, after the grace', async () => {
      const repo = await makeRepo();
      const command = [FAKE, '--ignore-term', '--daemon', 'pids/daemon.pid', '--artifact', 'out.md'];
      const success = await runAttempt(attemptInput(repo, unit('a'), offSettings(command)));
      expect(success.containment?.strayProcesses).toBe(1);
      expect(await isLive(await daemonPid(repo))).toBe(false);
    });
  },
);
