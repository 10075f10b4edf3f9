/**
 * `agent-fanout logs` of a run on many hosts (SPEC §10), from a directory with no checkout: a
 * finished attempt's log comes from the unit's evidence ref on the run's remote. The run is started
 * on a task queue no worker polls, so no agent runs and nothing else writes the evidence refs.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { startRun } from '../../../src/client/fanout-client';
import { resolveRemoteRun } from '../../../src/client/git-mode/remote-run-settings';
import { loadPlanFile } from '../../../src/client/plan-input/load-plan';
import { testClient, testServer } from '../../helpers/temporal';
import { CLI, type CliRun } from '../../helpers/scenario-runner';
import { requireBuiltCli } from '../helpers/built-cli';
import { emptyDirectory, removeRepos } from '../git-mode/git-repos';
import { pushEvidence } from '../git-mode/evidence-commits';
import { bareRemote } from '../git-mode/remote-repos';

let client: Client;
const started: string[] = [];
beforeAll(async () => {
  requireBuiltCli();
  client = await testClient();
});
afterAll(async () => {
  for (const id of started)
    await client.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined);
  await client.connection.close();
  removeRepos();
});

const connection = (): string[] => ['--address', testServer().address, '--namespace', testServer().namespace];

function logsFromNowhere(args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'logs', ...args, ...connection()], {
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

/** A remote run of units a and b that no worker takes; returns its id and remote. */
async function remoteRun(): Promise<{ id: string; remote: string }> {
  const { remote } = bareRemote();
  const planFile = path.join(emptyDirectory(), 'plan.json');
  const unit = (unitId: string) => ({
    unit_id: unitId,
    description: `Do ${unitId}.`,
    allowed_directories: [`src/${unitId}`],
    command: ['true'],
  });
  writeFileSync(
    planFile,
    JSON.stringify({ name: 'logs-remote', workspace: 'git', work_units: [unit('a'), unit('b')] }),
  );
  const { plan } = await loadPlanFile(planFile, { cwd: path.dirname(planFile) });
  const id = `logs-remote-${Date.now().toString(36)}-${started.length}`;
  const { git } = await resolveRemoteRun({
    remote,
    planName: plan.name,
    workflowId: id,
    idSource: 'the workflow id',
    keepFailed: false,
    hostLossTimeoutMs: 60_000,
    now: new Date(),
  });
  await startRun(client, { plan, repo: '', taskQueue: `${id}-no-worker`, workflowId: id, git });
  started.push(id);
  return { id, remote };
}

describe('logs of a run with --remote', () => {
  it("prints the latest attempt's log from the evidence ref, and an earlier one with --attempt", async () => {
    const { id, remote } = await remoteRun();
    pushEvidence(remote, id, 'a', { 1: 'attempt one on host x\n' });
    pushEvidence(remote, id, 'a', { 1: 'attempt one on host x\n', 2: 'attempt two on host y\n' });
    const latest = await logsFromNowhere([id, 'a']);
    expect(latest).toEqual({ code: 0, stdout: 'attempt two on host y\n', stderr: '' });
    const first = await logsFromNowhere([id, 'a', '--attempt', '1']);
    expect(first).toEqual({ code: 0, stdout: 'attempt one on host x\n', stderr: '' });
  });

  it('names the attempts the ref holds when asked for another', async () => {
    const { id, remote } = await remoteRun();
    pushEvidence(remote, id, 'a', { 1: 'one\n' });
    const run = await logsFromNowhere([id, 'a', '--attempt', '3']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `agent-fanout: unit 'a' has no log of attempt 3 in refs/fanout/${id}/evidence/a on ${remote}; it has attempt 1; ` +
        'pass one of those to --attempt, or leave it out for the latest\n',
    );
  });

  it('says a unit has no log yet while no attempt of it has ended', async () => {
    const { id, remote } = await remoteRun();
    pushEvidence(remote, id, 'a', { 1: 'a only\n' });
    const run = await logsFromNowhere([id, 'b']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      new RegExp(
        `^agent-fanout: unit 'b' has no log yet.*; wait for it with \`agent-fanout logs ${id} b --follow\`\\n$`,
      ),
    );
  });
});
