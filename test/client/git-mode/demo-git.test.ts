/**
 * `agent-fanout demo --workspace git`: the demo plan in git workspaces, on a dev server started
 * for it. Its scratch repo gets a first commit; the run ends on a branch holding every unit's work.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, type CliRun } from '../../helpers/scenario-runner';
import { requireBuiltCli } from '../helpers/built-cli';
import { gitIn } from './git-repos';

const cwd = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-demo-git-')));
beforeAll(() => requireBuiltCli());
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

function demo(args: readonly string[]): Promise<CliRun> {
  // Its own dev server: no TEMPORAL_* setting of the test environment may point it elsewhere.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TEMPORAL_')),
  );
  if (process.env.TEMPORAL_CLI_PATH !== undefined) env.TEMPORAL_CLI_PATH = process.env.TEMPORAL_CLI_PATH;
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('demo --workspace git', () => {
  it('runs the demo plan in working trees and ends on a branch with every unit in it', async () => {
    const run = await demo(['demo', '--workspace', 'git']);
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    const repo = path.join(cwd, '.agent', 'demo', 'repo');
    const branch = /^Branch: {2}(fanout\/demo-[0-9a-f]{8}) at /m.exec(run.stdout)?.[1];
    expect(branch).toBeDefined();
    expect(run.stdout).toMatch(/^unit\s+status\s+attempts\s+exit\s+commit\s+note$/m);
    expect(run.stdout).toMatch(/^changelog\s+SUCCEEDED\s+2\s+0\s+[0-9a-f]{7}\s/m);
    const files = gitIn(repo, 'ls-tree', '-r', '--name-only', branch ?? '');
    const areas = [
      'src/schema',
      'src/api',
      'src/ui',
      'src/app',
      'docs/guide',
      'tests/api',
      'tests/ui',
      'examples/orders',
      'changes',
    ];
    for (const area of areas) expect(files).toContain(`${area}/`);
    // The scratch checkout's own files stay as committed: the work is on the branch only.
    expect(gitIn(repo, 'status', '--porcelain', '--', '.', ':(exclude).agent')).toBe('');
    expect(gitIn(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe('main');
  });
});
