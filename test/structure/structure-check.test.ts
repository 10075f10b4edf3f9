/**
 * `npm run check:structure` (dependency-cruiser with .dependency-cruiser.cjs), run against small
 * scratch trees: each forbidden shape makes it fail and names the rule, a tidy tree passes.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PROJECT_ROOT = path.resolve(__dirname, '..', '..');
const DEPCRUISE = path.join(PROJECT_ROOT, 'node_modules', '.bin', 'depcruise');
const CONFIG = path.join(PROJECT_ROOT, '.dependency-cruiser.cjs');

/** Writes `files` (path → source) under a fresh scratch tree with a tsconfig, checks it, removes it. */
function checkTree(files: Record<string, string>): { status: number | null; output: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'structure-check-'));
  try {
    writeFileSync(
      path.join(root, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'commonjs', strict: true }, include: ['src/**/*.ts'] }),
    );
    for (const [file, source] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), source);
    }
    const result = spawnSync(DEPCRUISE, ['src', '--config', CONFIG], { cwd: root, encoding: 'utf8' });
    return { status: result.status, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('the structure check', () => {
  it('passes a tree whose imports point one way', () => {
    const result = checkTree({
      'src/contracts/types.ts': 'export interface Shared { readonly id: string }\n',
      'src/workflows/flow.ts':
        "import type { Shared } from '../contracts/types';\nexport const f = (s: Shared) => s.id;\n",
      'src/activities/act.ts':
        "import type { Shared } from '../contracts/types';\nexport const a = (s: Shared) => s.id;\n",
      'src/client/commands/worker.ts': "import { w } from '../../worker/worker';\nexport const c = w;\n",
      'src/worker/worker.ts': 'export const w = 1;\n',
    });
    expect(result.output).not.toContain('error');
    expect(result.status).toBe(0);
  });

  it('fails on an import cycle, also one made of type imports only', () => {
    const result = checkTree({
      'src/client/io.ts':
        "import type { Key } from './interrupt';\nexport interface Io { readonly key?: Key }\n",
      'src/client/interrupt.ts':
        "import type { Io } from './io';\nexport interface Key { readonly io?: Io }\n",
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('no-cycles');
    expect(result.output).toContain('src/client/io.ts');
  });

  it('fails when an activity imports from the workflows', () => {
    const result = checkTree({
      'src/workflows/messages.ts': 'export const m = 1;\n',
      'src/activities/act.ts': "import { m } from '../workflows/messages';\nexport const a = m;\n",
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('activities-not-from-workflows');
  });

  it('fails when the client takes anything from the worker outside the modules that start one', () => {
    const result = checkTree({
      'src/worker/worker-options.ts': "export const DEFAULT_TASK_QUEUE = 'agent-fanout';\n",
      'src/client/run-target.ts':
        "import { DEFAULT_TASK_QUEUE } from '../worker/worker-options';\nexport const q = DEFAULT_TASK_QUEUE;\n",
    });
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('client-not-from-worker');
    expect(result.output).toContain('src/client/run-target.ts');
  });
});
