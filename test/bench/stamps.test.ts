import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FAKE_AGENT } from '../../src/bench/shapes';
import { agentCpuPerRunMs, parseStamps } from '../../src/bench/stamps';

describe('parseStamps', () => {
  it("reads each unit's first and last action and sums its CPU over the attempts that reported it", () => {
    const text = [
      'a attempt=1 start 1000',
      'a attempt=1 end 2000',
      'a attempt=1 cpu-times',
      '0m0.004s 0m0.002s',
      '0m0.001s 0m0.500s',
      'a attempt=2 cpu-times',
      '0m0.010s 0m0.000s',
      '0m0.000s 0m0.000s',
      'b attempt=1 start 1500',
      // A cut-off report (the agent died while writing it) counts nothing.
      'b attempt=1 cpu-times',
      '0m0.004s',
    ].join('\n');
    const stamps = parseStamps(text);
    expect(stamps.get('a')).toEqual({ startMs: 1000, endMs: 2000, cpuMs: 517, cpuRuns: 2 });
    expect(stamps.get('b')).toEqual({ startMs: 1500 });
    expect(agentCpuPerRunMs(stamps)).toBeCloseTo(258.5, 6);
    expect(agentCpuPerRunMs(parseStamps('a attempt=1 start 1'))).toBeUndefined();
  });

  it("parses what the fake agent's --cpu-times writes: bash's own times, forking nothing", () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'fanout-stamps-'));
    try {
      const file = path.join(folder, 'stamps.txt');
      const done = spawnSync(FAKE_AGENT, ['--stamp', file, 'start', '--cpu-times', file], {
        env: { ...process.env, FANOUT_UNIT_ID: 'u1', FANOUT_ATTEMPT: '3' },
        encoding: 'utf8',
      });
      expect(done.status).toBe(0);
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lines[1]).toBe('u1 attempt=3 cpu-times');
      // Its children's line is zero: the measure itself started no process.
      expect(lines[3]).toBe('0m0.000s 0m0.000s');
      const own = parseStamps(lines.join('\n')).get('u1');
      expect(own?.cpuRuns).toBe(1);
      expect(own?.cpuMs).toBeGreaterThan(0);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
