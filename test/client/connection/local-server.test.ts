/**
 * The commands that start a Temporal dev server in their own process: `demo` (what `npm start`
 * runs), `run --embedded` and `dev`. Each test works in a fresh directory and checks that nothing
 * it started outlives the command.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CLI, FAKE_AGENT, type CliRun } from '../../helpers/scenario-runner';
import { requireBuiltCli } from '../helpers/built-cli';

const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-local-server-')));
beforeAll(() => requireBuiltCli());
const children = new Set<ChildProcess>();
afterAll(() => {
  // Whatever a failed test left behind: the CLIs it started, and servers found by their state
  // file in this file's unique directory, stopped by their process group.
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const pid of processesMentioning(base)) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // not a group leader, or gone already
      }
    }
  }
});

/** The CLI in `cwd`, with the Temporal variables of the test run removed. */
function cliIn(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TEMPORAL_')),
  );
  if (process.env.TEMPORAL_CLI_PATH !== undefined) clean.TEMPORAL_CLI_PATH = process.env.TEMPORAL_CLI_PATH;
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, done, stdout: () => stdout, stderr: () => stderr };
}

/** Pids whose command line mentions `text` (a test's unique directory). */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((name) => {
      try {
        return readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function expectNothingLeft(dir: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (processesMentioning(dir).length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(processesMentioning(dir)).toEqual([]);
  expect(existsSync(path.join(dir, '.agent', 'temporal-dev.sqlite.owner.json'))).toBe(false);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A free port whose neighbour at `offset` is free as well. */
async function freePortPair(offset: number): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port + offset > 65535) continue;
    const other = net.createServer();
    const free = await new Promise<boolean>((resolve) => {
      other.once('error', () => resolve(false));
      other.listen(port + offset, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise((resolve) => other.close(resolve));
      return port;
    }
  }
}

async function waitForText(read: () => string, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!read().includes(text)) {
    if (Date.now() > deadline) throw new Error(`never printed ${JSON.stringify(text)}; got:\n${read()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function smallPlan(dir: string): string {
  const planFile = path.join(dir, 'plan.json');
  writeFileSync(
    planFile,
    JSON.stringify({
      name: 'small',
      work_units: [
        {
          unit_id: 'only',
          description: 'one unit',
          allowed_directories: ['src'],
          command: [FAKE_AGENT, '--say', 'hello', '--artifact', 'out.md'],
        },
      ],
    }),
  );
  return planFile;
}

describe('demo', () => {
  it('runs the example plan to success in a scratch repo under .agent and leaves nothing running', async () => {
    const cwd = mkdtempSync(path.join(base, 'demo-'));
    const started = Date.now();
    const demo = await cliIn(cwd, ['demo']).done;
    const seconds = (Date.now() - started) / 1000;
    expect(demo.code).toBe(0);
    expect(seconds).toBeLessThan(90);
    const repo = path.join(cwd, '.agent', 'demo', 'repo');
    expect(demo.stdout).toContain('  all units succeeded\n');
    const units = [
      'schema',
      'api',
      'ui',
      'integrate',
      'docs',
      'tests-api',
      'tests-ui',
      'examples',
      'changelog',
    ];
    for (const unit of units) expect(demo.stdout).toMatch(new RegExp(`^${unit}\\s+SUCCEEDED\\s`, 'm'));
    expect(demo.stdout).toMatch(/^changelog\s+SUCCEEDED\s+2\s/m);
    expect(demo.stdout).toContain(`Summary: ${repo}/.agent/artifacts/parallel_development_summary.md`);
    expect(demo.stdout).toMatch(
      /^Web UI: {2}http:\/\/127\.0\.0\.1:\d+\/namespaces\/default\/workflows\/fanout-demo-[0-9a-f]{8}$/m,
    );
    const summary = readFileSync(path.join(repo, '.agent/artifacts/parallel_development_summary.md'), 'utf8');
    expect(summary).toContain('- all_succeeded: true');
    expect(readFileSync(path.join(repo, 'src/api/api.md'), 'utf8')).toContain(
      'Written by demo-agent for unit api.',
    );
    // Nothing of the demo outside .agent/.
    expect(readdirSync(cwd)).toEqual(['.agent']);
    await expectNothingLeft(cwd);
  }, 120_000);

  it('says to run `npm run provision` when there is no Temporal CLI to start a server with', async () => {
    const cwd = mkdtempSync(path.join(base, 'no-cli-'));
    const demo = await cliIn(cwd, ['demo'], { TEMPORAL_CLI_PATH: path.join(cwd, 'no-such-temporal') }).done;
    expect(demo.code).toBe(1);
    expect(demo.stderr).toMatch(
      /^agent-fanout: this command starts a local Temporal server\. TEMPORAL_CLI_PATH is set to /,
    );
    expect(demo.stderr).not.toContain('Last resort');
    expect(demo.stderr).toContain('npm run provision');
    expect(demo.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('run --embedded', () => {
  it('runs a plan on a server and worker of its own, then stops them', async () => {
    const cwd = mkdtempSync(path.join(base, 'embedded-'));
    const run = await cliIn(cwd, ['run', smallPlan(cwd), '--embedded', '--json']).done;
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 'succeeded',
      units: { only: { status: 'SUCCEEDED' } },
    });
    expect(existsSync(path.join(cwd, '.agent', 'temporal-dev.sqlite'))).toBe(true);
    await expectNothingLeft(cwd);
  }, 60_000);

  it('refuses --address, which it would not use', async () => {
    const cwd = mkdtempSync(path.join(base, 'embedded-address-'));
    const run = await cliIn(cwd, ['run', smallPlan(cwd), '--embedded', '--address', 'localhost:7233']).done;
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'agent-fanout: --embedded starts a server of its own, so --address does not apply; drop one of the two\n',
    );
  });
});

describe('dev', () => {
  it('serves runs until SIGTERM, then stops its worker and server and exits 0', async () => {
    const cwd = mkdtempSync(path.join(base, 'dev-'));
    // The Web UI on the frontend port + 1000, as `dev` chooses and `run` assumes for its links.
    const port = await freePortPair(1000);
    const uiPort = port + 1000;
    const dev = cliIn(cwd, ['dev', '--port', String(port)]);
    try {
      await waitForText(dev.stdout, 'Run a plan from another terminal', 60_000);
      expect(dev.stdout()).toContain(`  Temporal frontend  127.0.0.1:${port}\n`);
      expect(dev.stdout()).toContain(`  Web UI             http://127.0.0.1:${uiPort}\n`);
      expect(dev.stdout()).toContain(
        '  Task queue         agent-fanout (served by a worker in this process)\n',
      );
      expect(dev.stdout()).toContain(`  agent-fanout run plan.yaml --address 127.0.0.1:${port}\n`);

      const run = await cliIn(cwd, ['run', smallPlan(cwd), '--address', `127.0.0.1:${port}`]).done;
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/fanout-small-`);

      // A second dev on the same state file would corrupt it.
      const otherPorts = ['--port', String(await freePort()), '--ui-port', String(await freePort())];
      const second = await cliIn(cwd, ['dev', ...otherPorts]).done;
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(
        /^agent-fanout: agent-fanout dev already serves .*temporal-dev\.sqlite \(pid \d+/,
      );
    } finally {
      dev.child.kill('SIGTERM');
    }
    const ended = await dev.done;
    expect(ended.code).toBe(0);
    expect(ended.stderr).toContain('stopped: the worker and the server have exited\n');
    await expectNothingLeft(cwd);
  }, 90_000);

  it('refuses a taken port and names the flag that picks another', async () => {
    const cwd = mkdtempSync(path.join(base, 'dev-port-'));
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const dev = await cliIn(cwd, ['dev', '--port', String(port)]).done;
      expect(dev.code).toBe(2);
      expect(dev.stderr).toBe(
        `agent-fanout: port ${port} is in use (another Temporal server or agent-fanout dev?); pass --port <port> to use another one\n`,
      );
    } finally {
      blocker.close();
    }
  });
});
