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

/**
 * How these were chosen: every agent writes only inside its namespace (or nothing at all), so
 * the run is the same with a working tree per unit; none reads or writes a path in R that the
 * runner checks afterwards (40, 41, 42, 43, 44 keep counts, marks, pids or cwd markers in R, and
 * would rightly fail the §9 area check), none expects `{repo}` inside an error text (30, 48 name
 * the artifact directory, which lives in the working tree in git mode), none relies on a setup
 * file under `.agent/` (31). They cover launch order, chains, a diamond, the cap, re-planning,
 * exit texts, signal deaths and a missing binary, blocking, skipping, cancel, drain, continue,
 * overlap serialize (the second unit starts from the first's output) and a YAML plan.
 */
const GIT_SCENARIOS = [
  '02-single-unit-namespace.json',
  '03-independent-sorted-launch.json',
  '05-chain.json',
  '06-diamond.json',
  '07-wide-cap-refill.json',
  '10-slot-tie-by-id.json',
  '13-no-overlap-cases.json',
  '28-exit-texts.json',
  '29-exit-codes.json',
  '32-chain-fail-head.json',
  '34-diamond-fail-cancel-block.json',
  '37-drain.json',
  '38-continue.json',
  '39-overlap-serialize.json',
  '45-yaml-plan.json',
];

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
