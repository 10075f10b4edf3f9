/**
 * Issue 15: acceptance scenarios in git mode (SPEC §9) give the same events, statuses, errors and
 * exit codes as in shared mode; each SUCCEEDED unit leaves a commit, the run an integration
 * commit on its branch, the source checkout only `.agent/`, and no working tree stays behind.
 * Then every history is replayed to catch non-determinism in the git paths of the workflow.
 */
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testServer, useFanoutWorker } from '../helpers/fanout-worker';
import { replayWorkflows } from '../helpers/replay';
import { loadScenarios, runScenario } from '../helpers/scenario-runner';
import { GIT_SCENARIOS } from '../helpers/scenario-git';

const worktreeRoot = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-scenario-worktrees-')));
// The in-process worker reads it for every attempt: nothing of these runs goes to /var/tmp.
process.env.FANOUT_WORKTREES = worktreeRoot;
afterAll(() => rmSync(worktreeRoot, { recursive: true, force: true }));

describe('acceptance scenarios in git mode', () => {
  const fixture = useFanoutWorker('scenarios-git');
  const workflowIds: string[] = [];
  const scenarios = loadScenarios().filter((scenario) => GIT_SCENARIOS.includes(scenario.file));

  it('finds every chosen scenario', () => {
    expect(scenarios.map((scenario) => scenario.file)).toEqual(GIT_SCENARIOS);
  });

  it.each(scenarios.map((scenario) => [scenario.file, scenario] as const))('%s', async (_file, scenario) => {
    const outcome = await runScenario(
      scenario,
      { ...testServer(), taskQueue: fixture.taskQueue },
      { workspace: 'git', worktreeRoot },
    );
    if (outcome.result?.workflow_id !== undefined) workflowIds.push(outcome.result.workflow_id);
    expect(outcome.problems).toEqual([]);
  });

  it('replays every git-mode history without non-determinism', async () => {
    expect(workflowIds.length).toBeGreaterThan(0);
    const outcomes = await replayWorkflows(fixture.client(), workflowIds);
    expect(outcomes).toEqual(workflowIds.map((workflowId) => ({ workflowId })));
  });
});
