/**
 * `--confinement` on the command line (SPEC §8.1) and the run's containment warnings, through the
 * real bin: a bad mode is one line and exit 2; the flag overrides the plan's key; a warning is
 * printed once on stderr and listed in the result.
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FanoutResult } from '../../../src/plan/types';
import { requireBuiltCli, runBuiltCli } from '../../client/helpers/built-cli';
import { testServer, useFanoutWorker } from '../../helpers/fanout-worker';
import { FAKE_AGENT } from '../../helpers/scenario-runner';

requireBuiltCli();
const fixture = useFanoutWorker('cli-confinement');
const directories: string[] = [];
afterAll(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function tempDirectory(parent = os.tmpdir()): string {
  const directory = realpathSync(mkdtempSync(path.join(parent, 'fanout-cli-contain-')));
  directories.push(directory);
  return directory;
}

/** A two-unit plan file, outside any repo; `confinement` absent unless given. */
function planFile(extra: Record<string, unknown> = {}): string {
  const units = ['a', 'b'].map((id) => ({
    unit_id: id,
    description: `unit ${id}`,
    allowed_directories: [`src/${id}`],
  }));
  const file = path.join(tempDirectory(), 'plan.json');
  const agent = { command: [FAKE_AGENT, '--artifact', 'out.md'] };
  writeFileSync(file, JSON.stringify({ name: 'cli-contain', agent, work_units: units, ...extra }));
  return file;
}

function connection(): string[] {
  const server = testServer();
  return ['--address', server.address, '--namespace', server.namespace, '--task-queue', fixture.taskQueue];
}

describe('--confinement', () => {
  it('refuses a mode it does not know, naming the flag and the choices, exit 2', async () => {
    const run = await runBuiltCli(['validate', planFile(), '--confinement', 'sometimes']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--confinement.*sometimes.*landlock, audit, off/);
    expect(run.stdout).toBe('');
  });

  it('prints the $HOME warning once on stderr and lists it in the result', async () => {
    const repo = tempDirectory(os.homedir());
    const run = await runBuiltCli(['run', planFile(), '--repo', repo, '--json', ...connection()]);
    const warning =
      `confinement: ${repo} is inside $HOME, where agents save their settings; auditing instead ` +
      '(workspace: git confines: its working trees live outside $HOME)';
    expect(run.code).toBe(0);
    expect(run.stderr.split('\n').filter((line) => line.includes(warning))).toEqual([`warning: ${warning}`]);
    const result = JSON.parse(run.stdout) as FanoutResult;
    expect(result.warnings).toEqual([warning]);
    expect(result.units.a?.confinement).toBe('audit');
  }, 120_000);

  it('overrides the plan: landlock beneath $HOME when asked, off when the plan said landlock', async () => {
    const home = tempDirectory(os.homedir());
    const asked = await runBuiltCli([
      'run',
      planFile(),
      '--repo',
      home,
      '--json',
      '--confinement',
      'landlock',
      ...connection(),
    ]);
    expect(asked.code).toBe(0);
    const confined = JSON.parse(asked.stdout) as FanoutResult;
    expect([confined.warnings, confined.units.b?.confinement]).toEqual([undefined, 'landlock']);

    const repo = tempDirectory();
    const off = await runBuiltCli([
      'run',
      planFile({ confinement: 'landlock' }),
      '--repo',
      repo,
      '--json',
      '--confinement',
      'off',
      ...connection(),
    ]);
    expect(off.code).toBe(0);
    expect((JSON.parse(off.stdout) as FanoutResult).units.a?.confinement).toBe('off');
  }, 120_000);
});
