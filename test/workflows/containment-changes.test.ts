/**
 * SPEC §8.2 end to end: under `confinement: audit` a stray write of one agent lands in the run's
 * `out_of_bounds` with every unit that was running, each unit's `changes` in its result and the
 * summary, and `run` prints one warning line on stderr. Real server, worker, CLI and agents.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FanoutResult } from '../../src/plan/types';
import { requireBuiltCli, runBuiltCli } from '../client/helpers/built-cli';
import { testServer, useFanoutWorker } from '../helpers/fanout-worker';

const fixture = useFanoutWorker('containment-changes');
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('run under confinement: audit (SPEC §8.2)', () => {
  it('reports a stray write with the units running, each unit changes, the summary and a warning', async () => {
    requireBuiltCli();
    const repo = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-containment-')));
    // Each agent waits for the other, so the stray write happens while both run, after both snapshots.
    const shell = (script: string): string[] => ['/bin/sh', '-c', script];
    const plan = {
      name: 'containment-audit',
      confinement: 'audit',
      max_workers: 2,
      agent: { timeout: '60s' },
      work_units: [
        {
          unit_id: 'a',
          description: 'A.',
          allowed_directories: ['src/a'],
          command: shell(
            'mkdir -p src/a && echo x > src/a/x.txt; until [ -f src/b/y.txt ]; do sleep 0.05; done; ' +
              'echo s > stray.txt; echo ok > "$FANOUT_ARTIFACT_DIR/a.md"',
          ),
        },
        {
          unit_id: 'b',
          description: 'B.',
          allowed_directories: ['src/b'],
          command: shell(
            'mkdir -p src/b && echo y > src/b/y.txt; until [ -f stray.txt ]; do sleep 0.05; done; ' +
              'echo ok > "$FANOUT_ARTIFACT_DIR/b.md"',
          ),
        },
      ],
    };
    const planFile = path.join(repo, 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan));
    const server = testServer();
    const run = await runBuiltCli([
      'run',
      planFile,
      '--repo',
      repo,
      '--json',
      '--address',
      server.address,
      '--namespace',
      server.namespace,
      '--task-queue',
      fixture.taskQueue,
    ]);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as FanoutResult;
    expect(result.out_of_bounds).toEqual([{ path: 'stray.txt', kind: 'added', units: ['a', 'b'] }]);
    expect(result.units.a?.changes).toEqual([
      { path: 'src/a/x.txt', kind: 'added', size: 2, sha256: sha('x\n') },
    ]);
    expect(result.units.b?.changes).toEqual([
      { path: 'src/b/y.txt', kind: 'added', size: 2, sha256: sha('y\n') },
    ]);
    expect(run.stderr).toContain(
      "warning: out of bounds: 'stray.txt' added outside every unit's allowed directories and agent.writable (running: a, b)\n",
    );
    const summary = readFileSync(path.join(repo, '.agent/DEVELOPMENT_RESULT.md'), 'utf8');
    expect(summary).toContain('- **a**: succeeded (1 artifact(s))\n  - added: src/a/x.txt\n');
    expect(summary).toContain('## Out of bounds\n\n- added: stray.txt (while running: a, b)\n');
  });
});
