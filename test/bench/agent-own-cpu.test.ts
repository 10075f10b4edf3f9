import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { agentOwnCpuMs, cpuPerLaunch } from '../../src/bench/agent-own-cpu';
import type { ProcessFigures } from '../../src/bench/figures';
import { idleCommandOf } from '../../src/bench/shape-plan';
import { stampFileOf } from '../../src/bench/agent-args';
import { FAKE_AGENT, wideShShape, wideShape } from '../../src/bench/shapes';
import { parseStamps } from '../../src/bench/stamps';

describe('agentOwnCpuMs', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(path.join(os.tmpdir(), 'fanout-agent-cpu-'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  it("runs the fake agent 50 times with the shape's arguments, without its sleeps, and reports CPU per run", () => {
    const shape = wideShape(1, 60_000, 1);
    const started = Date.now();
    const ms = agentOwnCpuMs(scratch, idleCommandOf(shape));
    // A bash start and a `sleep` exec per run cost CPU; 50 one-minute sleeps would take 50 minutes.
    expect(ms).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    const [folder] = readdirSync(scratch);
    const root = path.join(scratch, folder ?? '');
    // Every run did what the shape asks: its stamps and CPU under its own unit id, and its artifact.
    for (const run of [1, 50]) {
      const stamps = parseStamps(readFileSync(path.join(root, stampFileOf(`cal${run}`)), 'utf8'));
      expect([...stamps.keys()]).toEqual([`cal${run}`]);
      const own = stamps.get(`cal${run}`);
      expect(own?.endMs).toBeGreaterThanOrEqual(own?.startMs ?? Number.NaN);
      expect(own?.cpuRuns).toBe(1);
      expect(own?.cpuMs).toBeGreaterThan(0);
      expect(readFileSync(path.join(root, 'ns', `cal${run}`, 'artifacts', 'x.md'), 'utf8')).toBe(
        'fake agent artifact\n',
      );
    }
  });

  it("runs the seed's sh agent of wide-sh the same way: its artifact written (non-empty: evidence), no sleep", () => {
    const started = Date.now();
    expect(agentOwnCpuMs(scratch, idleCommandOf(wideShShape(1, 60_000, 1)))).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    const [folder] = readdirSync(scratch);
    expect(readFileSync(path.join(scratch, folder ?? '', 'ns', 'cal50', 'artifacts', 'x.md'), 'utf8')).toBe(
      'done\n',
    );
  });

  it('fails with the exit of the run that failed', () => {
    expect(() => agentOwnCpuMs(scratch, [FAKE_AGENT, '--exit', '3'])).toThrow(/run 1 exited 3/);
  });
});

describe('cpuPerLaunch', () => {
  it("splits the worker's and the supervisors' CPU per launch, the fake agent's own taken out", () => {
    const figures = { workerCpuSeconds: 9.84, agentsCpuSeconds: 11.21 } as ProcessFigures;
    expect(cpuPerLaunch(figures, 1000, { ms: 6.26, measured: 'in run' })).toEqual({
      launches: 1000,
      agentOwnMs: 6.26,
      agentOwnMeasured: 'in run',
      workerMs: 9.84,
      supervisorsMs: 4.95,
      coordinatorMs: 14.79,
    });
  });
});
