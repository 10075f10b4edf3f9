import { mkdtempSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileCreateMicros } from '../../src/bench/create-cost';

describe('fileCreateMicros', () => {
  it('creates its probe files in a folder of its own, keeps them, and reports CPU per create', () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'fanout-create-cost-'));
    const micros = fileCreateMicros(scratch);
    expect(Number.isInteger(micros)).toBe(true);
    expect(micros).toBeGreaterThanOrEqual(0);
    expect(readdirSync(scratch)).toEqual(['create-cost-probe']);
    expect(readdirSync(path.join(scratch, 'create-cost-probe'))).toHaveLength(200);
    // A second probe in the same scratch folder is refused rather than mixed with the first.
    expect(() => fileCreateMicros(scratch)).toThrow(/EEXIST/);
  });
});
