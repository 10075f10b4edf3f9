/** A git run's commits and branch (SPEC §9) in the result table, the status table and the run report, from data. */
import type { GitRunResult } from '../../../src/contracts/git';
import type { Progress } from '../../../src/contracts/run-types';
import { gitRunLines, shortSha } from '../../../src/client/output/commit-text';
import { formatProgressTable } from '../../../src/client/output/progress-table';
import { formatResultTable } from '../../../src/client/output/result-table';
import { runBranch } from '../../../src/client/commands/status';
import { viewFromResult } from '../../../src/client/live/run-view';
import type { FanoutResult, UnitResult } from '../../../src/plan/types';

const BASE = 'b'.repeat(40);
const INTEGRATION = '1'.repeat(40);
const COMMIT_A = 'a1a2a3a4a5'.repeat(4);

function unit(extra: Partial<UnitResult>): UnitResult {
  return {
    status: 'SUCCEEDED',
    attempts: 1,
    started_at: null,
    finished_at: null,
    exit_code: 0,
    error: null,
    artifacts: [{ name: 'report.md', size: 3, sha256: 'x' }],
    ...extra,
  };
}

const git: GitRunResult = {
  base: BASE,
  integration: INTEGRATION,
  branch: 'fanout/demo-0123abcd',
  units: { a: COMMIT_A },
};

const result: FanoutResult = {
  status: 'failed',
  workflow_id: 'fanout-demo-1',
  events: [],
  units: {
    a: unit({ commit: COMMIT_A }),
    b: unit({ status: 'FAILED', exit_code: 1, error: "Worker 'b' exited with code 1", artifacts: [] }),
  },
  git,
};

describe('a git run in the result table', () => {
  it('has a commit column with each unit’s short output commit', () => {
    const lines = formatResultTable(result).split('\n');
    expect(lines[2]).toMatch(/^unit\s+status\s+attempts\s+exit\s+commit\s+note$/);
    expect(lines[3]).toMatch(/^a\s+SUCCEEDED\s+1\s+0\s+a1a2a3a\s+1 artifact\(s\)$/);
    expect(lines[4]).toMatch(/^b\s+FAILED\s+1\s+1\s+Worker 'b' exited with code 1$/);
  });

  it('keeps the shared-mode table as it was', () => {
    const { git: _git, ...shared } = result;
    const header = formatResultTable(shared).split('\n')[2];
    expect(header).toMatch(/^unit\s+status\s+attempts\s+exit\s+note$/);
  });
});

describe('a git run in the final live table', () => {
  it('names each succeeded unit’s commit in its note', () => {
    const view = viewFromResult('fanout-demo-1', 'demo', {
      ...result,
      units: { ...result.units, r: unit({ commit: COMMIT_A, reused_from: 'old-run' }) },
    });
    expect(view.units.map((row) => row.note)).toEqual([
      'commit a1a2a3a, 1 artifact',
      "Worker 'b' exited with code 1",
      'commit a1a2a3a, reused from old-run',
    ]);
  });
});

describe('the lines under a git run’s report', () => {
  it('name the branch, its commit and how to review and merge it', () => {
    expect(gitRunLines(git)).toEqual([
      'Branch:  fanout/demo-0123abcd at 1111111 (base bbbbbbb)',
      '         review: git log --stat bbbbbbb..fanout/demo-0123abcd',
      '         merge:  git merge fanout/demo-0123abcd',
    ]);
  });

  it('say what --into did', () => {
    const lines = gitRunLines({
      ...git,
      into: {
        branch: 'main',
        outcome: 'conflict',
        message: 'main was left alone; run git merge fanout/demo-0123abcd',
      },
    });
    expect(lines.at(-1)).toBe(
      'Into:    main (conflict): main was left alone; run git merge fanout/demo-0123abcd',
    );
    expect(
      gitRunLines({ ...git, into: { branch: 'main', outcome: 'fast-forward', message: '' } }).at(-1),
    ).toBe('Into:    main (fast-forward)');
  });

  it('shorten commits as git log --oneline does', () => {
    expect(shortSha(COMMIT_A)).toBe('a1a2a3a');
  });
});

describe('status of a git run', () => {
  const progress: Progress = {
    plan_name: 'demo',
    max_workers: 2,
    on_failure: 'cancel',
    state: 'running',
    counts: { SUCCEEDED: 1, RUNNING: 1 },
    units: [
      {
        unit_id: 'a',
        status: 'SUCCEEDED',
        attempts: 1,
        started_at: null,
        finished_at: null,
        exit_code: 0,
        error: null,
        commit: COMMIT_A,
      },
      {
        unit_id: 'b',
        status: 'RUNNING',
        attempts: 1,
        started_at: null,
        finished_at: null,
        exit_code: null,
        error: null,
      },
    ],
  };
  const branch = { base: BASE, branch: 'fanout/demo-0123abcd' };

  it('shows each unit’s commit and the branch the run ends on', () => {
    const lines = formatProgressTable('fanout-demo-1', progress, 0, branch).split('\n');
    expect(lines[1]).toMatch(/^unit\s+status\s+attempts\s+commit\s+note$/);
    expect(lines[2]).toMatch(/^a\s+SUCCEEDED\s+1\s+a1a2a3a$/);
    expect(lines[3]).toMatch(/^b\s+RUNNING\s+1$/);
    expect(lines[4]).toBe(
      'branch fanout/demo-0123abcd (from base bbbbbbb) when the run has ended; then: git merge fanout/demo-0123abcd',
    );
  });

  it('says how to merge the branch of a run that has ended, and leaves a shared run as it was', () => {
    const ended = formatProgressTable('x', { ...progress, state: 'succeeded' }, 0, branch);
    expect(ended).toContain(
      'branch fanout/demo-0123abcd (from base bbbbbbb); merge it: git merge fanout/demo-0123abcd\n',
    );
    expect(formatProgressTable('x', progress, 0).split('\n')[1]).toMatch(/^unit\s+status\s+attempts\s+note$/);
  });

  it('finds the branch in the run memo', () => {
    expect(runBranch({ plan_name: 'demo', git_branch: 'fanout/x', git_base: BASE })).toEqual({
      branch: 'fanout/x',
      base: BASE,
    });
    expect(runBranch({ plan_name: 'demo' })).toBeUndefined();
    expect(runBranch(undefined)).toBeUndefined();
  });
});
