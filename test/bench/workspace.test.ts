/**
 * The `workspace` bench shape's own logic, without a server: its plan in both modes, its place on
 * the command line, the repository it makes, and the target line of its table.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from '../../src/bench/args';
import { DEFAULT_SHAPES } from '../../src/bench/shapes';
import type { Distribution } from '../../src/bench/stats';
import { workspacePlanValue } from '../../src/bench/workspace';
import type { WorkspaceReport, WorkspaceRun } from '../../src/bench/workspace-types';
import { committedText, diskKib, makeRepo, pooledTreeDisk } from '../../src/bench/workspace-repo';
import { workspaceTable } from '../../src/bench/workspace-report';
import { validatePlanValue } from '../../src/plan/validate';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});
function scratch(): string {
  const folder = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'bench-workspace-test-')));
  folders.push(folder);
  return folder;
}

describe('workspace plan', () => {
  it.each(['shared', 'git-first', 'git-reused'] as const)(
    '%s: independent units under Landlock, each stamping into its own area',
    (mode) => {
      const result = validatePlanValue(workspacePlanValue(10_000, mode, 12, 4), { fileName: 'w.json' });
      if (!result.ok) throw new Error(result.message);
      const plan = result.plan;
      expect(plan.workspace).toBe(mode === 'shared' ? 'shared' : 'git');
      expect(plan.confinement).toBe('landlock');
      expect(plan.maxWorkers).toBe(4);
      expect(plan.workUnits).toHaveLength(12);
      for (const unit of plan.workUnits) {
        expect(unit.dependencies).toEqual([]);
        expect(unit.allowedDirectories).toEqual([`src/${unit.unitId}`]);
        expect(unit.command).toContain(`src/${unit.unitId}/stamps.txt`);
      }
    },
  );
});

describe('workspace on the command line', () => {
  it('is not in the default set; --shape workspace and --all take it', () => {
    expect(DEFAULT_SHAPES).not.toContain('workspace');
    expect(parseArgs(['--shape', 'workspace', '--quick'])).toMatchObject({
      quick: true,
      shapes: ['workspace'],
    });
    const all = parseArgs(['--all']);
    expect(all !== 'help' && all.shapes).toContain('workspace');
  });
});

describe('workspace repository', () => {
  it('commits and checks out the files; a unit stamp is read from a commit', () => {
    const repo = scratch();
    const made = makeRepo(repo, 250);
    const tracked = execFileSync('git', ['ls-files'], { cwd: repo, encoding: 'utf8' }).trim().split('\n');
    expect(tracked).toHaveLength(250);
    expect(readdirSync(path.join(repo, 'lib'))).toEqual(['d0', 'd1', 'd2']);
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' })).toBe('');
    expect(committedText(repo, made.base, 'lib/d2/f49.txt')).toMatch(/^file 249 x+$/);
    expect(committedText(repo, made.base, 'src/u00/stamps.txt')).toBe('');
    expect(committedText(repo, undefined, 'lib/d0/f0.txt')).toBe('');
    expect(pooledTreeDisk(scratch(), repo)).toBeNull();
    expect(diskKib(repo, true)).toBeGreaterThanOrEqual(250 * 0.1);
    expect(diskKib(repo)).toBeGreaterThan(diskKib(repo, true));
    expect(diskKib(path.join(repo, 'missing'))).toBeNaN();
  });
});

describe('workspace table', () => {
  const spread = (p50: number, p95: number): Distribution => ({
    n: 12,
    min: 1,
    p50,
    p95,
    max: p95,
    mean: p50,
  });
  const run = (mode: WorkspaceRun['mode'], p95: number): WorkspaceRun => ({
    mode,
    workflowId: `w-${mode}`,
    status: 'succeeded',
    succeeded: 12,
    units: 12,
    wallMs: 1000,
    unitStartToAgentStartMs: spread(100, p95),
    activityStartedToLaunchMs: spread(50, 60),
    launchToFirstActionMs: spread(20, 30),
    agentEndToCompletedMs: spread(200, 300),
    loadAverageStart: [1],
    loadAverageEnd: [1],
    pooledAfter: 4,
  });
  const report = (met: boolean | null, p95Ms: number): WorkspaceReport => ({
    title: 't',
    units: 12,
    maxWorkers: 4,
    poolSize: '4 (default)',
    sizes: [
      {
        files: 100_000,
        repoSetupMs: 1,
        checkoutKib: 400_000,
        runs: [run('shared', 200), run('git-first', 5000), run('git-reused', p95Ms)],
        treeDisk: { tree: '/t', treeKib: 409_600, adminKib: 10_240 },
        ratios: { 'git-first': { p50: 1, p95: 25 }, 'git-reused': { p50: 1, p95: p95Ms / 200 } },
      },
    ],
    target: { files: 100_000, p95Ms, targetMs: 1000, met },
    problems: [],
  });

  it('says met, MISSED, or not measured, with the git/shared ratio and the disk', () => {
    expect(workspaceTable(report(true, 800))).toMatch(/git-reused: 800 ms: met/);
    const missed = workspaceTable(report(false, 1500));
    expect(missed).toMatch(/git-reused: 1500 ms: MISSED/);
    expect(missed).toContain('x1.00/x7.50');
    expect(missed).toContain('400.0');
    expect(workspaceTable(report(null, Number.NaN))).toMatch(/not measured/);
  });
});
