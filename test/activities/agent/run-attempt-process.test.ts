import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AttemptRun,
  FAKE,
  attemptInput,
  duration,
  makeRepo,
  measured,
  reapGroups,
  removeRepos,
  runAttempt,
  settings,
  unit,
} from '../helpers';

afterEach(reapGroups);
afterAll(removeRepos);

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe('runAgentAttempt argv placeholders (SPEC §1)', () => {
  it('substitutes every placeholder literally, inside longer arguments, with no shell', async () => {
    const repo = await makeRepo();
    const description = `Say "hi" & $(rm -rf /) 'quoted' \`ticks\` $HOME * ; | > {repo}\nsecond line\n`;
    const command = [
      FAKE,
      '--write',
      'out/{unit_id}-attempt{attempt}.txt',
      '{description}',
      '--write',
      'out/paths.txt',
      'repo={repo} ns={namespace} art={artifact_dir} man={manifest} prompt={prompt_file} id={unit_id} n={attempt} {other}',
      '--copy',
      '{prompt_file}',
      '{artifact_dir}/prompt-copy.md',
    ];
    await runAttempt(attemptInput(repo, unit('alpha', { description }), settings(command), 2));
    const ns = join(repo, '.agent/workers/alpha');
    expect(await readFile(join(repo, 'out/alpha-attempt2.txt'), 'utf8')).toBe(`${description}\n`);
    expect(await readFile(join(repo, 'out/paths.txt'), 'utf8')).toBe(
      `repo=${repo} ns=${ns} art=${ns}/artifacts man=${ns}/worker-manifest.json prompt=${ns}/tmp/prompt.md id=alpha n=2 {other}\n`,
    );
    expect(await readFile(join(ns, 'artifacts/prompt-copy.md'), 'utf8')).toBe(description);
  });
});

describe('runAgentAttempt environment, cwd and stdin (SPEC §4.1, §7.15)', () => {
  it('layers worker env < settings env < FANOUT_*/RALPH_* and runs in the repo with stdin at EOF', async () => {
    const repo = await makeRepo();
    const workerEnv = {
      PATH: process.env.PATH,
      SCENARIO_WORKER: 'from-worker',
      SCENARIO_SHARED: 'from-worker',
      FANOUT_UNIT_ID: 'outer-run',
    };
    const unitSettings = settings(
      [FAKE, '--drain-stdin', '--touch', 'cwd-marker-a.txt', '--env-dump', '{artifact_dir}/env.txt'],
      {
        env: { SCENARIO_SHARED: 'from-agent-env', SCENARIO_COLOR: 'red' },
        idleTimeout: duration(5000, '5s'), // a stdin pipe nobody closes would hang the agent
      },
    );
    const result = await runAttempt(
      attemptInput(repo, unit('a', { allowedDirectories: ['src/a', 'docs/a'] }), unitSettings),
      {
        env: workerEnv,
      },
    );
    expect(result.artifacts.map((a) => a.name)).toEqual(['env.txt']);
    const ns = join(repo, '.agent/workers/a');
    expect(await readFile(join(ns, 'artifacts/env.txt'), 'utf8')).toBe(
      [
        'FANOUT_ALLOWED_DIRECTORIES=["src/a","docs/a"]',
        `FANOUT_ARTIFACT_DIR=${ns}/artifacts`,
        'FANOUT_ATTEMPT=1',
        `FANOUT_MANIFEST=${ns}/worker-manifest.json`,
        `FANOUT_NAMESPACE=${ns}`,
        `FANOUT_PROMPT_FILE=${ns}/tmp/prompt.md`,
        'FANOUT_RUN_ID=fanout-test-run',
        'FANOUT_UNIT_ID=a',
        `RALPH_PARALLEL_WORKER_MANIFEST=${ns}/worker-manifest.json`,
        `RALPH_WORKER_ARTIFACT_DIR=${ns}/artifacts`,
        'RALPH_WORKER_ID=a',
        `RALPH_WORKER_NAMESPACE=${ns}`,
        'SCENARIO_COLOR=red',
        'SCENARIO_SHARED=from-agent-env',
        'SCENARIO_WORKER=from-worker',
        '',
      ].join('\n'),
    );
    expect(await readFile(join(repo, 'cwd-marker-a.txt'), 'utf8')).toBe('touched\n');
  });
});

describe('runAgentAttempt output log', () => {
  it('keeps 40 MB of output byte-identical in the log without holding it in memory', async () => {
    const repo = await makeRepo();
    const big = join(repo, 'big.txt');
    const file = await open(big, 'w');
    for (let i = 0; i < 320; i += 1) {
      // 320 × 128 KiB of text lines = 40 MiB, with a few control bytes mixed in
      await file.write(
        `${randomBytes(96 * 1024)
          .toString('base64')
          .replace(/(.{100})/g, '$1\n')}\u001b[0m\n`.slice(0, 128 * 1024),
      );
    }
    await file.close();
    const size = (await stat(big)).size;
    expect(size).toBe(40 * 1024 * 1024);
    const command = [
      '/bin/sh',
      '-c',
      'cat big.txt && printf "fake agent artifact\\n" > "$FANOUT_ARTIFACT_DIR/out.md"',
    ];
    await runAttempt(attemptInput(repo, unit('warmup'), settings([FAKE, '--artifact', 'w.md']))); // load code paths first

    const gc = (globalThis as { gc?: () => void }).gc; // present under NODE_OPTIONS=--expose-gc
    gc?.();
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakHeap = baseline.heapUsed;
    const sampler = setInterval(() => {
      const now = process.memoryUsage();
      peakRss = Math.max(peakRss, now.rss);
      peakHeap = Math.max(peakHeap, now.heapUsed);
    }, 5);
    const result = await runAttempt(attemptInput(repo, unit('big'), settings(command)));
    clearInterval(sampler);
    const rssGrowth = peakRss - baseline.rss;
    if (gc) {
      gc();
      measured(
        '40 MiB output: heap retained after GC',
        Math.round((process.memoryUsage().heapUsed - baseline.heapUsed) / 1024),
        'KiB',
      );
    }
    measured('40 MiB output: peak RSS growth', Math.round(rssGrowth / 1024), 'KiB');
    measured('40 MiB output: peak heap growth', Math.round((peakHeap - baseline.heapUsed) / 1024), 'KiB');

    expect((await stat(result.logPath)).size).toBe(size);
    expect(await sha256Of(result.logPath)).toBe(await sha256Of(big));
    // Holding the 40 MiB would take at least that much; streaming takes a few buffers. The margin
    // is wide because a loaded host's RSS also grows with compiled code and pages not yet returned.
    expect(rssGrowth).toBeLessThan(16 * 1024 * 1024);
  });

  it('sends no heartbeat for an agent that ends within the first interval', async () => {
    const repo = await makeRepo();
    const run = new AttemptRun({ timing: { pollMs: 100, heartbeatMs: 5_000 } });
    const result = await run.run(
      attemptInput(repo, unit('short'), settings([FAKE, '--ticks', '2', '100', '--artifact', 'out.md'])),
    );
    expect(result.artifacts.map((artifact) => artifact.name)).toEqual(['out.md']);
    expect(run.heartbeats).toEqual([]);
  });

  it('heartbeats pid, process group, bytes and the last lines while the agent runs', async () => {
    const repo = await makeRepo();
    const run = new AttemptRun({ timing: { pollMs: 100, heartbeatMs: 300 } });
    const result = await run.run(
      attemptInput(repo, unit('beat'), settings([FAKE, '--ticks', '3', '500', '--artifact', 'out.md'])),
    );
    const beats = run.heartbeats;
    // Quiet for the first interval (heartbeat.ts startQuiet): the launch's phases send nothing,
    // and the first beat already shows the agent running.
    expect(beats[0]).toMatchObject({ phase: 'running', attempt: 1, logPath: result.logPath });
    expect(beats.filter((beat) => beat.phase === 'preparing')).toEqual([]);
    const running = beats.filter((beat) => beat.phase === 'running');
    expect(running.length).toBeGreaterThanOrEqual(3);
    expect(
      running.every(
        (beat) => beat.pid !== null && beat.pgid === beat.pid && beat.startedAt === result.startedAt,
      ),
    ).toBe(true);
    expect(running.some((beat) => beat.bytes > 0 && beat.lastLines.includes('tick 1'))).toBe(true);
    // The agent's last lines reach a beat while it still runs (its last second is a sleep). Once it
    // has ended no beat of its own goes out: the interval's next one would report `collecting`.
    expect(
      running.some((beat) => beat.bytes === 21 && beat.lastLines.join('|') === 'tick 1|tick 2|tick 3'),
    ).toBe(true);
    expect(beats.every((beat) => beat.phase === 'running' || beat.phase === 'collecting')).toBe(true);
  });
});
