import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileCreateMicros, settlingCostPerLaunchMs } from '../../src/bench/create-cost';

describe('fileCreateMicros', () => {
  it('lays out namespaces like launches do in a folder of its own, keeps them, and reports CPU per create', () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'fanout-create-cost-'));
    const micros = fileCreateMicros(scratch);
    expect(Number.isInteger(micros)).toBe(true);
    expect(micros).toBeGreaterThanOrEqual(0);
    expect(readdirSync(scratch)).toEqual(['create-cost-probe']);
    const probe = path.join(scratch, 'create-cost-probe');
    expect(readdirSync(probe)).toHaveLength(40);
    expect(readdirSync(path.join(probe, 'unit-0')).sort()).toEqual([
      'artifacts',
      'handoffs',
      'logs',
      'tmp',
      'worker-manifest.json',
    ]);
    expect(readdirSync(path.join(probe, 'unit-39', 'logs'))).toEqual(['attempt-1.log']);
    // A second probe in the same scratch folder is refused rather than mixed with the first.
    expect(() => fileCreateMicros(scratch)).toThrow(/EEXIST/);
  });
});

describe('settlingCostPerLaunchMs', () => {
  it('is nothing on a quiet disk and ten creates dearer per launch on a settling one', () => {
    expect(settlingCostPerLaunchMs(30)).toBe(0);
    expect(settlingCostPerLaunchMs(650)).toBe(6);
    expect(settlingCostPerLaunchMs(200)).toBe(1.5);
  });
});
