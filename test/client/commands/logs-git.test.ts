/**
 * `agent-fanout logs` of a git run (SPEC §9) reads the attempt logs copied into the checkout,
 * `.agent/runs/<workflow id>/<unit_id>/logs/`, not a namespace in the checkout. A real CLI
 * subprocess against the shared test server.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { awaitResult, startRun } from '../../../src/client/fanout-client';
import { resolveGitRun } from '../../../src/client/git-mode/git-run-settings';
import { unitLogsDir } from '../../../src/client/run/unit-logs';
import { loadPlanFile } from '../../../src/client/plan-input/load-plan';
import { testServer, useFanoutWorker } from '../../helpers/fanout-worker';
import { FAKE_AGENT, runCli } from '../../helpers/scenario-runner';
import { requireBuiltCli } from '../helpers/built-cli';
import { emptyDirectory, removeRepos, repoWithCommit } from '../git-mode/git-repos';

const fixture = useFanoutWorker('logs-git');
beforeAll(() => requireBuiltCli());
afterAll(removeRepos);

const connection = (): string[] => ['--address', testServer().address, '--namespace', testServer().namespace];

describe('unitLogsDir', () => {
  const plan = { namespaceRoot: 'var/ns' } as Parameters<typeof unitLogsDir>[0]['plan'];
  it('is the namespace of a shared run and the copy under .agent/runs/ of a git run', () => {
    expect(unitLogsDir({ repo: '/r', plan }, 'id-1', 'a')).toBe('/r/var/ns/a/logs');
    const git = { base: 'b', branch: 'x', keepFailed: false, identity: { name: 'n', email: 'e', date: 'd' } };
    expect(unitLogsDir({ repo: '/r', plan, git }, 'id-1', 'a')).toBe('/r/.agent/runs/id-1/a/logs');
  });
});

describe('logs of a git run', () => {
  it('prints the attempt log copied to .agent/runs/<id>/<unit>/logs/', async () => {
    const { repo } = repoWithCommit();
    const planFile = path.join(emptyDirectory(), 'plan.json');
    const plan = {
      name: 'logs-git',
      workspace: 'git',
      work_units: [
        {
          unit_id: 'a',
          description: 'says hello',
          allowed_directories: ['src/a'],
          command: [FAKE_AGENT, '--say', 'agent output', '--artifact', 'out.md'],
        },
      ],
    };
    writeFileSync(planFile, JSON.stringify(plan));
    const { plan: loaded } = await loadPlanFile(planFile, { cwd: repo });
    const id = `logs-git-${Date.now().toString(36)}`;
    const { git } = await resolveGitRun({
      repo,
      planName: loaded.name,
      workflowId: id,
      idSource: 'the workflow id',
      keepFailed: false,
      now: new Date(),
    });
    const handle = await startRun(fixture.client(), {
      plan: loaded,
      repo,
      taskQueue: fixture.taskQueue,
      workflowId: id,
      git,
    });
    await awaitResult(handle);
    // What the run copied there (or nothing, on a worker without git workspaces) gives way to a
    // log only this test wrote: the command must print exactly it.
    const logsDir = path.join(repo, '.agent', 'runs', id, 'a', 'logs');
    rmSync(logsDir, { recursive: true, force: true });
    mkdirSync(logsDir, { recursive: true });
    writeFileSync(path.join(logsDir, 'attempt-1.log'), 'copied log of attempt 1\n');
    writeFileSync(path.join(logsDir, 'attempt-2.log'), 'copied log of attempt 2\n');

    const latest = await runCli(['logs', id, 'a', ...connection()], 30_000);
    expect({ code: latest.code, stdout: latest.stdout }).toEqual({
      code: 0,
      stdout: 'copied log of attempt 2\n',
    });
    const first = await runCli(['logs', id, 'a', '--attempt', '1', ...connection()], 30_000);
    expect(first.stdout).toBe('copied log of attempt 1\n');
  });
});
