/**
 * What `run` and `watch` show a person: a live table redrawn in place on a terminal (tmux), one
 * plain line per event without one, and what Ctrl-C does. Real CLI subprocesses, the shared test
 * server, a worker of this file's own.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { awaitResult } from '../../../src/client/fanout-client';
import { describeEvent } from '../../../src/client/run/follow-run';
import type { fanoutWorkflow } from '../../../src/workflows/fanout-workflow';
import { useFanoutWorker, testServer } from '../../helpers/fanout-worker';
import { CLI, FAKE_AGENT, runCli } from '../../helpers/scenario-runner';
import { openTerminal, requireTmux, type TerminalSession } from '../../helpers/tmux';
import { requireBuiltCli } from '../helpers/built-cli';

const fixture = useFanoutWorker('run-display');
const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-run-display-')));
const sessions: TerminalSession[] = [];

beforeAll(() => {
  requireBuiltCli();
  requireTmux();
});
afterEach(() => sessions.splice(0).forEach((session) => session.close()));

/** a → b (fails with exit 3) → c (blocked); d on its own. `continue`, so d still runs. */
function writePlan(name: string, ticks = 4): { planFile: string; repo: string } {
  const dir = mkdtempSync(path.join(base, `${name}-`));
  const repo = path.join(dir, 'repo');
  mkdirSync(repo);
  const agent = (...extra: string[]) => [FAKE_AGENT, '--ticks', String(ticks), '300', ...extra];
  const plan = {
    name,
    max_workers: 2,
    on_failure: 'continue',
    work_units: [
      {
        unit_id: 'a',
        allowed_directories: ['src/a'],
        description: 'first',
        command: agent('--artifact', 'a.md'),
      },
      {
        unit_id: 'b',
        allowed_directories: ['src/b'],
        description: 'second',
        dependencies: ['a'],
        command: agent('--say', 'bad news', '--exit', '3'),
      },
      {
        unit_id: 'c',
        allowed_directories: ['src/c'],
        description: 'third',
        dependencies: ['b'],
        command: agent('--artifact', 'c.md'),
      },
      {
        unit_id: 'd',
        allowed_directories: ['src/d'],
        description: 'fourth',
        command: agent('--artifact', 'd.md'),
      },
    ],
  };
  const planFile = path.join(dir, 'plan.json');
  writeFileSync(planFile, JSON.stringify(plan));
  return { planFile, repo };
}

function connectionArgs(): string[] {
  const server = testServer();
  return ['--address', server.address, '--namespace', server.namespace, '--task-queue', fixture.taskQueue];
}

function terminalRun(name: string, args: string[]): { session: TerminalSession; exitFile: string } {
  const exitFile = path.join(base, `${name}.exit`);
  const session = openTerminal({
    name,
    argv: [process.execPath, CLI, ...args],
    cwd: base,
    env: { LANG: 'C.UTF-8', TEMPORAL_UI_URL: 'http://ui.example:8233' },
    exitFile,
  });
  sessions.push(session);
  return { session, exitFile };
}

describe('run on a terminal', () => {
  it('redraws one live table in place with output lines, and ends at 100% with every final status', async () => {
    // 20 ticks of 300 ms: each agent runs 6 s, so a loaded host still sees it RUNNING (4 ticks,
    // 1.2 s, ended before the first redraw on a busy CI machine).
    const { planFile, repo } = writePlan('live', 20);
    const id = `live-${Date.now().toString(36)}`;
    const { session } = terminalRun('live', [
      'run',
      planFile,
      '--repo',
      repo,
      '--id',
      id,
      ...connectionArgs(),
    ]);

    // While it runs: a unit's last output line from its agent, in its row.
    const running = await session.waitFor(/^[ad]\s+RUNNING\s+1\s+\d:\d\d\s+tick \d/m, 30_000);
    expect(running).toMatch(/^UNIT\s+STATUS\s+ATT\s+ELAPSED\s+LAST OUTPUT$/m);
    expect(running).toMatch(/^c\s+PENDING\s+-\s+waiting for dependencies: b$/m);

    expect(await session.exitCode(60_000)).toBe(1);
    const screen = session.scrollback();
    expect(screen).toMatch(new RegExp(`^${id} · live · failed  \\d:\\d\\d$`, 'm'));
    expect(screen).toMatch(/^█{40}\s+100%\s+4\/4 done · 1 failed, 1 blocked$/m);
    expect(screen).toMatch(/^a\s+SUCCEEDED\s+1\s+\d:\d\d\s+1 artifact$/m);
    expect(screen).toMatch(/^b\s+FAILED\s+1\s+\d:\d\d\s+Worker 'b' exited with code 3: bad news$/m);
    expect(screen).toMatch(/^c\s+BLOCKED\s+-\s+Blocked by failed dependencies: b$/m);
    expect(screen).toMatch(/^d\s+SUCCEEDED\s+1\s+\d:\d\d\s+1 artifact$/m);
    expect(screen).toContain(`Summary: ${repo}/.agent/artifacts/parallel_development_summary.md`);
    expect(screen).toContain(`Web UI:  http://ui.example:8233/namespaces/default/workflows/${id}`);
    // Redrawn in place: one table on screen, never a scrolling list of frames.
    expect(screen.match(/^UNIT\s+STATUS/gm)).toHaveLength(1);
    expect(screen.match(new RegExp(`^${id} · live`, 'gm'))).toHaveLength(1);
  });

  it('keeps its place when agent output holds wide characters (CJK, emoji)', async () => {
    const dir = mkdtempSync(path.join(base, 'wide-'));
    const repo = path.join(dir, 'repo');
    mkdirSync(repo);
    // Claude Code prints ⏺ and ✅; CJK and ✅ take two columns each, more than their code points.
    const wide = '⏺ ✅ 中文输出 '.repeat(40);
    const agent = (name: string) => [FAKE_AGENT, '--say', wide, '--sleep-ms', '6000', '--artifact', name];
    const plan = {
      name: 'wide',
      work_units: [
        { unit_id: 'claude', allowed_directories: ['src/a'], description: 'wide', command: agent('a.md') },
        { unit_id: 'other', allowed_directories: ['src/b'], description: 'wide', command: agent('b.md') },
      ],
    };
    const planFile = path.join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan));
    const id = `wide-${Date.now().toString(36)}`;
    const { session } = terminalRun('wide', [
      'run',
      planFile,
      '--repo',
      repo,
      '--id',
      id,
      ...connectionArgs(),
    ]);

    await session.waitFor(/^claude\s+RUNNING\s+1\s+\d:\d\d\s+⏺ ✅ 中文输出 ⏺/m, 30_000);
    // The elapsed clock changes every second, so each of these seconds is a redraw over the last.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const running = session.scrollback();
    expect(running.match(/^UNIT\s+STATUS/gm)).toHaveLength(1);
    expect(running.match(new RegExp(`^${id} · wide`, 'gm'))).toHaveLength(1);

    expect(await session.exitCode(60_000)).toBe(0);
    const screen = session.scrollback();
    expect(screen.match(/^UNIT\s+STATUS/gm)).toHaveLength(1);
    expect(screen.match(new RegExp(`^${id} · wide`, 'gm'))).toHaveLength(1);
    expect(screen).toMatch(/^claude\s+SUCCEEDED\s+1\s+\d:\d\d\s+1 artifact$/m);
  });

  it('asks on Ctrl-C, and detaching leaves the run going', async () => {
    const { planFile, repo } = writePlan('ctrlc', 30);
    const id = `ctrlc-${Date.now().toString(36)}`;
    const { session } = terminalRun('ctrlc', [
      'run',
      planFile,
      '--repo',
      repo,
      '--id',
      id,
      ...connectionArgs(),
    ]);
    await session.waitFor(/^a\s+RUNNING/m, 30_000);
    session.keys('C-c');
    await session.waitFor(/\[c\] cancel the run .* \[d\] detach, the run goes on \(default\)/, 10_000);
    session.keys('d');
    expect(await session.exitCode(10_000)).toBe(130);
    expect(session.screen()).toContain(`detached from ${id}; the run goes on.`);
    expect(session.screen()).toMatch(new RegExp(`follow it again: agent-fanout watch ${id} --address `));

    const handle = fixture.client().workflow.getHandle<typeof fanoutWorkflow>(id);
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.cancel();
    await expect(awaitResult(handle)).resolves.toMatchObject({ status: 'cancelled' });
  });

  it('cancels the run when the answer to Ctrl-C is c, and shows how it ended', async () => {
    const { planFile, repo } = writePlan('cancelled', 30);
    const id = `cancelled-${Date.now().toString(36)}`;
    const { session } = terminalRun('cancelled', [
      'run',
      planFile,
      '--repo',
      repo,
      '--id',
      id,
      ...connectionArgs(),
    ]);
    await session.waitFor(/^a\s+RUNNING/m, 30_000);
    session.keys('C-c');
    await session.waitFor(/\[c\] cancel the run/, 10_000);
    session.keys('c');
    expect(await session.exitCode(30_000)).toBe(1);
    const screen = session.scrollback();
    expect(screen).toContain(`cancelling ${id}: stopping every agent…`);
    expect(screen).toMatch(new RegExp(`^${id} · cancelled · cancelled`, 'm'));
    expect(screen).toMatch(/^a\s+CANCELLED\s+1\s/m);
    expect(screen).toMatch(/^d\s+CANCELLED\s+1\s/m);
  });
});

describe('run without a terminal', () => {
  it('prints one plain line per event, then the result table', async () => {
    const { planFile, repo } = writePlan('plain', 1);
    const id = `plain-${Date.now().toString(36)}`;
    const run = await runCli(['run', planFile, '--repo', repo, '--id', id, ...connectionArgs()], 60_000);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain(String.fromCharCode(27));

    const result = await awaitResult(fixture.client().workflow.getHandle<typeof fanoutWorkflow>(id));
    const lines = run.stdout.split('\n');
    const first = lines.indexOf('  fan-out started');
    expect(lines.slice(0, 3)).toEqual([
      `run ${id}: 4 units, max_workers 2`,
      expect.stringMatching(new RegExp(`^  Web UI: http://.*/workflows/${id}$`)),
      `  Ctrl-C detaches; the run goes on. Stop it with \`agent-fanout cancel ${id} --address ${testServer().address}\`.`,
    ]);
    expect(lines.slice(first, first + result.events.length)).toEqual(
      result.events.map((event) => `  ${describeEvent(event)}`),
    );
    expect(lines[first + result.events.length]).toBe('');
    expect(lines[first + result.events.length + 1]).toBe(`run failed (${id})`);
  });

  it('detaches at once on SIGINT, saying how to follow the run again', async () => {
    const { planFile, repo } = writePlan('sigint', 30);
    const id = `sigint-${Date.now().toString(36)}`;
    const child = spawn(
      process.execPath,
      [CLI, 'run', planFile, '--repo', repo, '--id', id, ...connectionArgs()],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const deadline = Date.now() + 30_000;
    while (!stdout.includes('started   a') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toContain(`detached from ${id}; the run goes on.`);
    expect(stdout).toContain(`stop it:         agent-fanout cancel ${id} --address ${testServer().address}`);
    const handle = fixture.client().workflow.getHandle<typeof fanoutWorkflow>(id);
    await handle.cancel();
    await awaitResult(handle);
  });
});

describe('watch', () => {
  it('shows a finished run with the same lines and exit code as run', async () => {
    const { planFile, repo } = writePlan('watched', 1);
    const id = `watched-${Date.now().toString(36)}`;
    const first = await runCli(
      ['run', planFile, '--repo', repo, '--id', id, '--json', ...connectionArgs()],
      60_000,
    );
    expect(first.code).toBe(1);
    const watched = await runCli(['watch', id, ...connectionArgs()], 30_000);
    expect(watched.code).toBe(1);
    expect(watched.stdout).toMatch(
      new RegExp(`^watch ${id}: watched, 4 units, max_workers 2, ended \\(failed\\)\\n`),
    );
    const result = JSON.parse(first.stdout) as { events: Parameters<typeof describeEvent>[0][] };
    for (const event of result.events) expect(watched.stdout).toContain(`  ${describeEvent(event)}\n`);
    expect(watched.stdout).toMatch(/^c\s+BLOCKED\s+0\s+1\s+Blocked by failed dependencies: b$/m);

    const json = await runCli(['watch', id, '--json', ...connectionArgs()], 30_000);
    expect(JSON.parse(json.stdout)).toMatchObject({ workflow_id: id, status: 'failed' });
  });
});
