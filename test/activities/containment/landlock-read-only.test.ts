/**
 * Read-only roots under Landlock (SPEC §8.1, §9): in a git run the agent works in a working tree
 * (its cwd) while the source checkout lies elsewhere, and the source must stay unwritable to it.
 * The real kernel's Landlock and the real Perl supervisor: a misbehaving agent tries to write the
 * source and gets EACCES; a directory beside both is still writable.
 */

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpawnOptions } from '../../../src/activities/agent/agent-process';
import type { AttemptRecordTemplate } from '../../../src/activities/agent/attempt-record';
import { readAgentEnd } from '../../../src/activities/agent/exit-status';
import {
  PERL_SUPERVISOR_PATH,
  perlSpec,
  perlSupervisor,
} from '../../../src/activities/agent/perl-supervisor';
import { spawnAgent } from '../../../src/activities/agent/spawn-agent';
import {
  prepareContainment,
  sourceCheckoutRoots,
  sourceInsideHome,
  type ContainmentInput,
} from '../../../src/activities/containment/landlock-launch';
import type { GitAttempt } from '../../../src/contracts/git';
import { namespacePaths } from '../../../src/activities/unit-files/namespace';
import { makeRepo, reapGroups, removeRepos, trackGroup } from '../helpers';

afterEach(reapGroups);
afterAll(removeRepos);

/** An agent that tries to create or overwrite each path given and prints `<path> ok` or `<path> <errno name>`. */
const WRITER = [
  'perl',
  '-e',
  'for (@ARGV) { if (open(my $f, ">", $_)) { print "$_ ok\\n" } else { print "$_ ", ($!{EACCES} ? "EACCES" : "$!"), "\\n" } }',
];

interface Layout {
  /** Holds the three below, and nothing else of the test. */
  readonly parent: string;
  /** The agent's cwd: a git run's working tree. */
  readonly tree: string;
  /** The source checkout, read-only to the agent. */
  readonly source: string;
  /** Beside both. */
  readonly sibling: string;
}

async function layout(): Promise<Layout> {
  const parent = await makeRepo();
  const dirs = {
    parent,
    tree: join(parent, 'tree'),
    source: join(parent, 'source'),
    sibling: join(parent, 'sibling'),
  };
  for (const dir of [dirs.tree, dirs.sibling, join(dirs.source, 'src', 'a')])
    await mkdir(dir, { recursive: true });
  await writeFile(join(dirs.source, 'README'), 'original\n');
  return dirs;
}

function containmentInput(tree: string, overrides: Partial<ContainmentInput> = {}): ContainmentInput {
  return {
    repo: tree,
    paths: namespacePaths(tree, '.agent/workers', 'a'),
    unit: { allowedDirectories: ['src/a'] },
    settings: { confinement: 'landlock' },
    deps: { env: {} },
    ...overrides,
  };
}

function spawnOptions(tree: string, landlock: SpawnOptions['landlock']): SpawnOptions {
  const record: AttemptRecordTemplate = {
    version: 1,
    attempt: 1,
    argv: [],
    logPath: join(tree, 'agent.log'),
    logOffset: 0,
    startedAt: new Date().toISOString(),
    startedAtMs: Date.now(),
    artifactsBefore: {},
    launchId: `read-only-${Date.now()}`,
    owner: { workflowId: 'w', workflowRunId: 'r', activityId: '1' },
    bootId: null,
    pidNamespace: null,
    worker: 'test',
    exitPath: join(tree, 'agent.exit.json'),
  };
  return {
    cwd: tree,
    env: { PATH: process.env.PATH ?? '' },
    logPath: record.logPath,
    recordPath: join(tree, 'agent.record.json'),
    record,
    deadlineMs: Date.now() + 60_000,
    graceMs: 300,
    supervisor: 'perl',
    ...(landlock === undefined ? {} : { landlock }),
  };
}

/** Runs the writer confined as prepared for `tree`; returns each path's `ok` or errno name. */
async function writeConfined(
  tree: string,
  readOnlyRoots: readonly string[],
  targets: readonly string[],
): Promise<Record<string, string>> {
  const prepared = await prepareContainment(containmentInput(tree, { readOnlyRoots }));
  expect(prepared.mode).toBe('landlock');
  const options = spawnOptions(tree, prepared.landlock);
  const spawned = await spawnAgent(spawn, [...WRITER, ...targets], options);
  if (!spawned.ok) throw spawned.error;
  trackGroup(spawned.agent.pgid);
  expect(await spawned.agent.exited).toBe(0);
  const lines = (await readFile(options.logPath, 'utf8')).trim().split('\n');
  return Object.fromEntries(
    lines.map((line) => [line.slice(0, line.lastIndexOf(' ')), line.slice(line.lastIndexOf(' ') + 1)]),
  );
}

describe('a read-only root under landlock', () => {
  it('refuses every write into the source checkout with EACCES; beside it and in the own area all is writable', async () => {
    const { parent, tree, source, sibling } = await layout();
    const elsewhere = await realpath(await mkdtemp(join(tmpdir(), 'fanout-elsewhere-')));
    const targets = {
      newInSource: join(source, 'stolen.txt'),
      overwrite: join(source, 'README'),
      deepInSource: join(source, 'src', 'a', 'deep.txt'),
      sibling: join(sibling, 'fine.txt'),
      elsewhere: join(elsewhere, 'fine.txt'),
      ownArea: join(tree, 'src', 'a', 'mine.txt'),
      besideBoth: join(parent, 'direct.txt'),
    };
    const answers = await writeConfined(tree, [source], Object.values(targets));

    expect(Object.fromEntries(Object.entries(targets).map(([name, file]) => [name, answers[file]]))).toEqual({
      newInSource: 'EACCES',
      overwrite: 'EACCES',
      deepInSource: 'EACCES',
      sibling: 'ok',
      elsewhere: 'ok',
      ownArea: 'ok',
      // SPEC §8.1's limit, now for the source too: no new entry directly in a directory that contains it.
      besideBoth: 'EACCES',
    });
    expect(existsSync(targets.newInSource)).toBe(false);
    expect(existsSync(targets.deepInSource)).toBe(false);
    expect(await readFile(targets.overwrite, 'utf8')).toBe('original\n');
    expect(existsSync(targets.sibling)).toBe(true);
  });

  it('is what refuses them: without it the same agent writes the source', async () => {
    const { tree, source } = await layout();
    const target = join(source, 'stolen.txt');
    expect(await writeConfined(tree, [], [target])).toEqual({ [target]: 'ok' });
    expect(existsSync(target)).toBe(true);
  });
});

describe('which roots an attempt keeps read-only', () => {
  const git: GitAttempt = {
    base: '0'.repeat(40),
    merges: [],
    keepFailed: false,
    identity: { name: 'agent-fanout', email: 'fanout@example.invalid', date: '2026-01-01T00:00:00Z' },
  };

  it("a git attempt's source checkout, when the agent works in a working tree elsewhere; nothing in a shared run", async () => {
    const { tree, source } = await layout();
    expect(await sourceCheckoutRoots({ repo: source, git }, tree)).toEqual([source]);
    expect(await sourceCheckoutRoots({ repo: source, git }, source)).toEqual([]);
    expect(await sourceCheckoutRoots({ repo: source }, tree)).toEqual([]);
  });

  it('by default not a source beneath $HOME (with a warning), but when the plan says landlock', async () => {
    const { tree } = await layout();
    const home = await makeRepo();
    const source = join(home, 'src', 'app');
    await mkdir(source, { recursive: true });
    const input = (confinement: 'landlock' | undefined) =>
      containmentInput(tree, {
        deps: { env: { HOME: home } },
        readOnlyRoots: [source],
        settings: { confinement },
      });

    const byDefault = await prepareContainment(input(undefined));
    expect(byDefault.landlock?.readOnly).toEqual([]);
    expect(byDefault.attempt).toEqual({ confinement: 'landlock', warning: sourceInsideHome(source) });

    const explicit = await prepareContainment(input('landlock'));
    expect(explicit.landlock?.readOnly).toEqual([source]);
    expect(explicit.attempt).toEqual({ confinement: 'landlock' });
  });
});

describe('the launch spec', () => {
  it('of the previous version, without read-only roots, still confines the agent', async () => {
    const perl = await perlSupervisor();
    if (perl === null) throw new Error('no perl');
    const { tree } = await layout();
    await mkdir(join(tree, 'src', 'a'), { recursive: true });
    const options = spawnOptions(tree, { writable: [join(tree, 'src', 'a')], readOnly: [] });
    const current = perlSpec(perl.syscalls, [...WRITER, 'src/a/mine.txt', 'root.txt'], options);
    if (current === null) throw new Error('no spec');
    const fields = current.toString().split('\0');
    const writableCount = Number(fields[fields.indexOf('landlock') + 1]);
    expect([fields[0], fields[fields.indexOf('landlock') + 2 + writableCount]]).toEqual([
      'agent-fanout-supervisor/3',
      '0',
    ]);
    fields.splice(fields.indexOf('landlock') + 2 + writableCount, 1);
    fields[0] = 'agent-fanout-supervisor/2';

    const supervisor = spawn(perl.perl, [PERL_SUPERVISOR_PATH], {
      cwd: '/',
      env: {},
      stdio: ['pipe', 'ignore', 'ignore', 'pipe'],
    });
    let reply = '';
    supervisor.stdio[3]?.on('data', (chunk: Buffer) => (reply += chunk.toString()));
    const exited = new Promise((resolve) => supervisor.once('exit', resolve));
    supervisor.stdin?.end(fields.join('\0'));
    await exited;

    expect(reply).toMatch(/^started \d+\n$/);
    expect(await readAgentEnd(options.record.exitPath, options.record.launchId)).toMatchObject({
      kind: 'exited',
      exitCode: 0,
    });
    expect([existsSync(join(tree, 'src', 'a', 'mine.txt')), existsSync(join(tree, 'root.txt'))]).toEqual([
      true,
      false,
    ]);
  });
});
