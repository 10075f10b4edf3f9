/**
 * `agent-fanout logs` of a remote run's RUNNING attempt (SPEC §10) prints the latest lines its
 * heartbeat carries, from a directory with no checkout. A real worker runs the agent; the run is
 * marked remote by its memo's `git_remote`, which is all `logs` reads to choose the remote path
 * (this worker runs the unit in a shared checkout, so nothing else about many hosts is involved).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readAgentHeartbeats } from '../../../src/client/live/agent-output';
import type { FanoutInput } from '../../../src/contracts/run-types';
import { loadPlanFile } from '../../../src/client/plan-input/load-plan';
import type { fanoutWorkflow } from '../../../src/workflows/fanout-workflow';
import { testServer, useFanoutWorker } from '../../helpers/fanout-worker';
import { CLI, FAKE_AGENT, type CliRun } from '../../helpers/scenario-runner';
import { requireBuiltCli } from '../helpers/built-cli';
import { emptyDirectory, removeRepos } from '../git-mode/git-repos';
import { bareRemote } from '../git-mode/remote-repos';

const fixture = useFanoutWorker('logs-remote-running');
beforeAll(() => requireBuiltCli());
afterAll(removeRepos);

function logsFromNowhere(args: readonly string[]): Promise<CliRun> {
  const connection = ['--address', testServer().address, '--namespace', testServer().namespace];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'logs', ...args, ...connection], {
      cwd: emptyDirectory(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

it('prints the running attempt’s latest lines from its heartbeat', async () => {
  const { remote } = bareRemote();
  const repo = emptyDirectory();
  const planFile = path.join(repo, 'plan.json');
  const command = [FAKE_AGENT, '--say', 'line one', '--say', 'line two', '--sleep-ms', '120000'];
  const unit = { unit_id: 'a', description: 'Run long.', allowed_directories: ['src/a'], command };
  writeFileSync(
    planFile,
    JSON.stringify({ name: 'logs-remote-running', confinement: 'off', work_units: [unit] }),
  );
  const { plan } = await loadPlanFile(planFile, { cwd: repo });
  const input: FanoutInput = { plan, repo };
  const id = `logs-remote-running-${Date.now().toString(36)}`;
  const handle = await fixture.client().workflow.start<typeof fanoutWorkflow>('fanoutWorkflow', {
    workflowId: id,
    taskQueue: fixture.taskQueue,
    args: [input],
    memo: { plan_name: plan.name, repo, units: 1, git_remote: remote },
  });
  try {
    // Generous: the machine is shared; the agent's lines reach the server with a heartbeat.
    for (let tries = 0; tries < 120; tries += 1) {
      const heartbeat = (await readAgentHeartbeats(fixture.client(), handle)).get('a');
      if (heartbeat?.lastLines?.includes('line two') === true) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const run = await logsFromNowhere([id, 'a']);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: 'line one\nline two\n' });
    expect(run.stderr).toBe(
      `attempt 1 of unit 'a' is running; its latest lines, from its heartbeat ` +
        `(its whole log reaches refs/fanout/${id}/evidence/a on ${remote} when it ends):\n`,
    );
  } finally {
    await handle.cancel();
  }
}, 120_000);
