/**
 * A run on many hosts (SPEC §10) in the run report, the status table and `logs --follow`, from
 * data: the branch and the summary are on the remote, and the lines say how to fetch them.
 */
import type { GitRunResult } from '../../../src/contracts/git';
import type { Progress } from '../../../src/contracts/run-types';
import { overlap } from '../../../src/client/commands/logs-remote';
import { runBranch } from '../../../src/client/commands/status';
import { remoteRunLines } from '../../../src/client/output/commit-text';
import { formatProgressTable } from '../../../src/client/output/progress-table';
import { formatResultTable } from '../../../src/client/output/result-table';
import type { UnitResult } from '../../../src/plan/types';

const BASE = 'b'.repeat(40);
const REMOTE = 'git@example.com:team/app.git';
const git: GitRunResult = {
  base: BASE,
  integration: '1'.repeat(40),
  branch: 'fanout/demo-0123abcd',
  units: {},
};

describe('the report of a remote run', () => {
  it('names the branch on the remote, how to fetch it, and the summary ref', () => {
    expect(remoteRunLines(git, REMOTE, 'fanout-demo-1')).toEqual([
      `Branch:  fanout/demo-0123abcd at 1111111 (base bbbbbbb) on ${REMOTE}`,
      `         get it: git fetch ${REMOTE} fanout/demo-0123abcd:fanout/demo-0123abcd`,
      '         review: git log --stat bbbbbbb..fanout/demo-0123abcd',
      '         merge:  git merge fanout/demo-0123abcd',
      `Summary: refs/fanout/fanout-demo-1/summary on ${REMOTE}`,
      `         read it: git fetch ${REMOTE} refs/fanout/fanout-demo-1/summary && git show FETCH_HEAD:parallel_development_summary.md`,
    ]);
  });

  it('keeps the --into line', () => {
    const into = { branch: 'main', outcome: 'fast-forward' as const, message: '' };
    expect(remoteRunLines({ ...git, into }, REMOTE, 'x')).toContain('Into:    main (fast-forward)');
  });
});

describe('the result table of a remote run', () => {
  const unit = (host: string | undefined): UnitResult => ({
    status: 'SUCCEEDED',
    attempts: 1,
    started_at: null,
    finished_at: null,
    exit_code: 0,
    error: null,
    artifacts: [],
    commit: 'c'.repeat(40),
    ...(host === undefined ? {} : { host }),
  });

  it('names the host of each unit when the units record one', () => {
    const table = formatResultTable({
      status: 'succeeded',
      events: [],
      git,
      units: { a: unit('box-1:/var/tmp/w'), b: unit('box-2:/var/tmp/w') },
    });
    const lines = table.split('\n');
    expect(lines[2]).toMatch(/^unit\s+status\s+attempts\s+exit\s+commit\s+host\s+note$/);
    expect(lines[3]).toMatch(/^a\s+SUCCEEDED\s+1\s+0\s+ccccccc\s+box-1:\/var\/tmp\/w$/);
    expect(lines[4]).toMatch(/^b\s+SUCCEEDED\s+1\s+0\s+ccccccc\s+box-2:\/var\/tmp\/w$/);
  });

  it('has no host column when no unit records one', () => {
    const table = formatResultTable({ status: 'succeeded', events: [], git, units: { a: unit(undefined) } });
    expect(table).not.toContain('host');
  });
});

describe('status of a remote run', () => {
  const progress: Progress = {
    plan_name: 'demo',
    max_workers: 2,
    on_failure: 'cancel',
    state: 'running',
    counts: { RUNNING: 1 },
    units: [
      {
        unit_id: 'a',
        status: 'RUNNING',
        attempts: 1,
        started_at: null,
        finished_at: null,
        exit_code: null,
        error: null,
      },
    ],
  };

  it('finds the remote in the run memo', () => {
    expect(runBranch({ git_branch: 'fanout/x', git_base: BASE, git_remote: REMOTE })).toEqual({
      branch: 'fanout/x',
      base: BASE,
      remote: REMOTE,
    });
  });

  it('says where the branch will be, and how to fetch it once the run has ended', () => {
    const branch = { branch: 'fanout/x', base: BASE, remote: REMOTE };
    expect(formatProgressTable('id', progress, 0, branch)).toContain(
      `branch fanout/x (from base bbbbbbb) on ${REMOTE} when the run has ended; then: git fetch ${REMOTE} fanout/x:fanout/x\n`,
    );
    expect(formatProgressTable('id', { ...progress, state: 'succeeded' }, 0, branch)).toContain(
      `branch fanout/x (from base bbbbbbb) on ${REMOTE}; get it: git fetch ${REMOTE} fanout/x:fanout/x\n`,
    );
  });
});

describe('following a running attempt through its heartbeats', () => {
  it('prints only the lines the previous heartbeat did not show', () => {
    expect(overlap([], ['a', 'b'])).toBe(0);
    expect(overlap(['a', 'b', 'c'], ['b', 'c', 'd'])).toBe(2);
    expect(overlap(['a', 'b'], ['a', 'b'])).toBe(2);
    expect(overlap(['a', 'b'], ['x', 'y'])).toBe(0);
    expect(overlap(['x', 'x'], ['x', 'y'])).toBe(1);
  });
});
