/**
 * `agent-fanout dev` and `run --embedded` notice when the dev server they started dies: one clear
 * message naming its log and how to serve the runs again, their worker stopped, exit 1, and no
 * stack trace. The server is killed for real (SIGKILL to its process group).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { CLI, FAKE_AGENT, type CliRun } from '../../helpers/scenario-runner';
import { requireBuiltCli } from '../helpers/built-cli';

const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-server-death-')));
beforeAll(() => requireBuiltCli());
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function cliIn(cwd: string, args: readonly string[]) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TEMPORAL_')),
  );
  if (process.env.TEMPORAL_CLI_PATH !== undefined) env.TEMPORAL_CLI_PATH = process.env.TEMPORAL_CLI_PATH;
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliRun>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
  return { child, done, output: () => stdout + stderr };
}

/** The pid of `parent`'s child whose command line mentions `word`, once there is one. */
async function childMentioning(parent: number, word: string): Promise<number> {
  for (let tries = 0; tries < 600; tries += 1) {
    for (const name of readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.split(') ')[1]?.split(' ')[1]);
        const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
        if (ppid === parent && cmdline.includes(word)) return Number(name);
      } catch {
        // gone meanwhile
      }
    }
    await delay(100);
  }
  throw new Error(`no child of ${parent} mentioning ${word}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

type Cli = ReturnType<typeof cliIn>;

function ended(cli: Cli): boolean {
  return cli.child.exitCode !== null || cli.child.signalCode !== null;
}

/** Polls `done` every 100 ms, for at most 100 s. */
async function waitUntil(done: () => boolean): Promise<void> {
  for (let tries = 0; tries < 1000 && !done(); tries += 1) await delay(100);
}

/** Waits for `pattern` in the output; stops early if the command ends without it. */
async function waitForOutput(cli: Cli, pattern: RegExp): Promise<void> {
  await waitUntil(() => pattern.test(cli.output()) || ended(cli));
  expect(cli.output()).toMatch(pattern);
}

/** The command's end, or a failure that shows its output once `ms` have passed without one. */
async function endWithin(cli: Cli, ms: number): Promise<CliRun> {
  const timer = new AbortController();
  const late = delay(ms, undefined, { signal: timer.signal }).then(() => {
    throw new Error(`still running after ${ms} ms; its output so far:\n${cli.output()}`);
  });
  late.catch(() => undefined); // aborted once the command ends
  try {
    return await Promise.race([cli.done, late]);
  } finally {
    timer.abort();
  }
}

/**
 * `agent-fanout dev` on two free ports. Another test's server can take a port between the probe
 * and the bind; the command then refuses it (exit 2, "in use") and another pair is tried.
 */
async function devOnFreePorts(dir: string): Promise<Cli> {
  for (let attempt = 1; ; attempt += 1) {
    const dev = cliIn(dir, [
      'dev',
      '--port',
      String(await freePort()),
      '--ui-port',
      String(await freePort()),
    ]);
    await waitUntil(() => /agent-fanout dev is up/.test(dev.output()) || ended(dev));
    if (!ended(dev) || attempt === 3 || !/in use/.test(dev.output())) return dev;
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    process.kill(pid, 'SIGKILL');
  }
}

const DIED =
  /the Temporal dev server this process started \(pid \d+\) has exited unexpectedly; its worker is stopped too\. Its log is .*\. Runs are kept in .*: start `agent-fanout dev` in this directory to serve them again/;

describe('agent-fanout dev when its server dies', () => {
  it('says so, stops its worker and exits 1 instead of retrying forever', async () => {
    const dev = await devOnFreePorts(mkdtempSync(path.join(base, 'dev-')));
    expect(dev.output()).toMatch(/agent-fanout dev is up/);
    expect(dev.output()).toMatch(/Worker log +.*temporal-dev\.sqlite\.worker\.log/);
    killGroup(await childMentioning(dev.child.pid as number, 'start-dev'));

    const end = await endWithin(dev, 60_000);
    expect(end.stderr).toMatch(DIED);
    expect(end.stderr).not.toMatch(/this is a bug|^\s+at /m);
    expect(end.code).toBe(1);
  });
});

describe('run --embedded when its server dies', () => {
  it('says so, stops its worker and exits 1 without a stack trace', async () => {
    const dir = mkdtempSync(path.join(base, 'embedded-'));
    const plan = path.join(dir, 'plan.json');
    writeFileSync(
      plan,
      JSON.stringify({
        name: 'server-death',
        work_units: [
          {
            unit_id: 'a',
            // Outlives its worker by design; short enough to end on its own soon after the test.
            description: 'ticks for 15 s',
            allowed_directories: ['src/a'],
            command: [FAKE_AGENT, '--ticks', '30', '500', '--artifact', 'out.md'],
          },
        ],
      }),
    );
    const run = cliIn(dir, ['run', plan, '--embedded']);
    await waitForOutput(run, /started +a/);
    killGroup(await childMentioning(run.child.pid as number, 'start-dev'));

    const end = await endWithin(run, 60_000);
    expect(end.stderr).toMatch(DIED);
    expect(end.stderr).not.toMatch(/this is a bug|Channel has been shut down|^\s+at /m);
    expect(end.code).toBe(1);
  });
});
