/**
 * Which confinement an attempt runs under (SPEC §8.1): the plan's request against what the worker
 * can do, with the exact warning texts when it runs under less.
 */

import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { decideConfinement, landlockProbe } from '../../../src/activities/containment/confinement-mode';
import {
  FAKE,
  attemptInput,
  makeRepo,
  reapGroups,
  removeRepos,
  runAttempt,
  settings,
  unit,
} from '../helpers';

afterEach(reapGroups);
afterAll(removeRepos);

const notAvailable = (reason: string): string =>
  `confinement: landlock is not available on ${hostname()} (${reason}); auditing instead`;

describe('decideConfinement', () => {
  it('finds Landlock on this host', async () => {
    expect(await landlockProbe()).toBeNull();
  });

  it('takes audit and off as asked, with no warning', async () => {
    for (const requested of ['audit', 'off'] as const) {
      expect(
        await decideConfinement({ requested, repo: '/srv/app', supervisor: undefined, home: '/srv' }),
      ).toEqual({ mode: requested, warning: null });
    }
  });

  it('audits by default a checkout beneath $HOME, and says so', async () => {
    const home = await makeRepo();
    const repo = join(home, 'src', 'app');
    await mkdir(repo, { recursive: true });
    expect(await decideConfinement({ requested: undefined, repo, supervisor: undefined, home })).toEqual({
      mode: 'audit',
      warning:
        `confinement: ${repo} is inside $HOME, where agents save their settings; auditing instead ` +
        '(workspace: git confines: its working trees live outside $HOME)',
    });
  });

  it('confines a checkout beneath $HOME when the plan says landlock, and one outside it by default', async () => {
    const home = await makeRepo();
    const inside = join(home, 'app');
    await mkdir(inside);
    const outside = await makeRepo();
    const decide = (requested: 'landlock' | undefined, repo: string) =>
      decideConfinement({ requested, repo, supervisor: undefined, home });
    expect(await decide('landlock', inside)).toEqual({ mode: 'landlock', warning: null });
    expect(await decide(undefined, outside)).toEqual({ mode: 'landlock', warning: null });
  });

  it('audits on a worker held to the Node supervisor, and says why', async () => {
    const decision = await decideConfinement({
      requested: 'landlock',
      repo: '/srv/app',
      supervisor: 'node',
      home: '/root',
    });
    expect(decision).toEqual({
      mode: 'audit',
      warning: notAvailable('this worker runs the Node supervisor, which cannot confine'),
    });
  });
});

describe('an attempt on a worker forced to the Node supervisor', () => {
  it('runs audited and carries the warning', async () => {
    const repo = await makeRepo();
    const command = [FAKE, '--try-touch', 'root.txt', '--artifact', 'out.md'];
    const asked = settings(command, { confinement: undefined }); // the default: landlock
    const success = await runAttempt(attemptInput(repo, unit('a'), asked), { supervisor: 'node' });
    expect(success.containment).toEqual({
      confinement: 'audit',
      warning: notAvailable('this worker runs the Node supervisor, which cannot confine'),
      strayProcesses: 0,
    });
  });
});
