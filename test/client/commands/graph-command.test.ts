import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../../../src/client/commands/graph';
import { captureIo } from '../helpers/capture-io';

const directory = mkdtempSync(path.join(os.tmpdir(), 'fanout-graph-command-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** A Ralph planning artifact: no command anywhere, one extra top-level key. */
const ralphPlan = path.join(directory, 'ralph.yaml');
writeFileSync(
  ralphPlan,
  [
    'phase: development',
    'work_units:',
    '  - {unit_id: api, description: Build the API, allowed_directories: [src/api]}',
    '  - {unit_id: ui, description: Build the UI, allowed_directories: [src/ui], dependencies: [api]}',
    '  - {unit_id: cli, description: Build the CLI, allowed_directories: [src/cli], dependencies: [api]}',
  ].join('\n'),
);

describe('graph command', () => {
  it('draws Mermaid by default, even for a plan without any agent command', async () => {
    const output = captureIo(directory);
    await expect(run({ plan: 'ralph.yaml', format: 'mermaid' }, output.io)).resolves.toBe(0);
    expect(output.stdout()).toContain('flowchart LR');
    expect(output.stdout()).toContain('subgraph wave2["Wave 2"]');
    expect(output.stderr()).toMatch(/^warning: ignoring unknown top-level key 'phase'/);
  });

  it('draws DOT on request', async () => {
    const output = captureIo(directory);
    await run({ plan: 'ralph.yaml', format: 'dot' }, output.io);
    expect(output.stdout()).toMatch(/^digraph "ralph" \{/);
    expect(output.stdout()).toContain('"api" -> "ui";');
  });

  it('predicts the waves for --max-workers', async () => {
    const output = captureIo(directory);
    await run({ plan: 'ralph.yaml', format: 'mermaid', maxWorkers: '1' }, output.io);
    expect(output.stdout()).toContain('3 predicted waves (equal unit durations, max_workers 1)');
  });
});
