import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PlanRejected, UsageError } from '../../../src/client/errors';
import { loadPlanFile, MAX_PLAN_BYTES } from '../../../src/client/plan-input/load-plan';

const directory = mkdtempSync(path.join(os.tmpdir(), 'fanout-load-plan-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

const load = (file: string, options: Partial<Parameters<typeof loadPlanFile>[1]> = {}) =>
  loadPlanFile(file, { cwd: directory, ...options });

describe('loadPlanFile', () => {
  it('resolves a relative path against the cwd and returns the text, the plan and its warnings', async () => {
    const text = JSON.stringify({ extra: 1, agent: { command: ['x'] }, work_units: [] });
    writeFileSync(path.join(directory, 'ok.json'), text);
    await expect(load('ok.json')).resolves.toEqual({
      path: 'ok.json',
      absolutePath: path.join(directory, 'ok.json'),
      text,
      plan: expect.objectContaining({ name: 'ok', workUnits: [] }) as unknown,
      warnings: [expect.stringContaining("'extra'")],
    });
  });

  it('names the plan after the file without its extension', async () => {
    writeFileSync(path.join(directory, 'release.v2.yaml'), 'work_units: []\n');
    await expect(load('release.v2.yaml')).resolves.toMatchObject({ plan: { name: 'release.v2' } });
  });

  it('refuses a missing file and a directory as usage errors', async () => {
    await expect(load('missing.json')).rejects.toThrow(UsageError);
    mkdirSync(path.join(directory, 'plans.json'), { recursive: true });
    await expect(load('plans.json')).rejects.toThrow('plans.json is a directory, not a plan file');
  });

  it('accepts a plan of exactly the size limit and refuses one byte more, by its size', async () => {
    const limitFile = path.join(directory, 'limit.json');
    const body = '{"work_units": []}';
    writeFileSync(limitFile, body + ' '.repeat(MAX_PLAN_BYTES - body.length));
    await expect(load('limit.json')).resolves.toMatchObject({ plan: { name: 'limit' } });
    const descriptor = openSync(path.join(directory, 'over.json'), 'w');
    ftruncateSync(descriptor, MAX_PLAN_BYTES + 1);
    closeSync(descriptor);
    await expect(load('over.json')).rejects.toThrow(/over\.json is 10\.0 MB, over the 10 MB limit/);
  });

  it('refuses text that is not UTF-8 as a rejected plan', async () => {
    writeFileSync(path.join(directory, 'latin1.json'), Buffer.from('{"name": "caf\xe9"}', 'latin1'));
    const loading = load('latin1.json');
    await expect(loading).rejects.toThrow(PlanRejected);
    await expect(loading).rejects.toThrow('latin1.json is not UTF-8 text');
  });

  it('passes --agent-command and requireCommand on to validation', async () => {
    writeFileSync(
      path.join(directory, 'ralph.json'),
      JSON.stringify({ work_units: [{ unit_id: 'a', description: 'x', allowed_directories: ['src'] }] }),
    );
    await expect(load('ralph.json')).rejects.toThrow("Work unit 'a' has no command");
    await expect(load('ralph.json', { agentCommand: ['agent'] })).resolves.toMatchObject({
      plan: { agent: { command: ['agent'] } },
    });
    await expect(load('ralph.json', { requireCommand: false })).resolves.toMatchObject({
      plan: { name: 'ralph' },
    });
  });
});
