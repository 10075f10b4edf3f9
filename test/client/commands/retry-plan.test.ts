/**
 * `agent-fanout retry <id> --plan <file>`: the edited plan runs; succeeded units whose definition
 * is unchanged are reused without starting an agent (the fake agent's start stamps prove it), a
 * changed unit and a new one run, a removed unit is gone. Real CLI against the shared server.
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { testServer, useFanoutWorker } from '../../helpers/fanout-worker';
import { FAKE_AGENT, runCli } from '../../helpers/scenario-runner';
import { requireBuiltCli } from '../helpers/built-cli';
import type { FanoutResult } from '../../../src/plan/types';

const fixture = useFanoutWorker('retry-plan');
const base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'fanout-retry-plan-')));
beforeAll(() => requireBuiltCli());

const connection = (): string[] => ['--address', testServer().address, '--namespace', testServer().namespace];

/** Each start appends `<unit> attempt=<n>` to `<repo>/src/<unit>/starts.log`. */
function unit(id: string, description: string, dependencies: string[] = []): object {
  return {
    unit_id: id,
    description,
    allowed_directories: [`src/${id}`],
    dependencies,
    command: [FAKE_AGENT, '--count', `src/${id}/starts.log`, '--artifact', 'out.md'],
  };
}

function starts(repo: string, id: string): number {
  try {
    return readFileSync(path.join(repo, 'src', id, 'starts.log'), 'utf8')
      .trim()
      .split('\n').length;
  } catch {
    return 0;
  }
}

describe('retry --plan', () => {
  it('runs a unit whose description changed and a new one, reuses the unchanged successes, drops a removed unit', async () => {
    const dir = mkdtempSync(path.join(base, 'run-'));
    const repo = path.join(dir, 'repo');
    mkdirSync(repo);
    const first = path.join(dir, 'plan.json');
    writeFileSync(
      first,
      JSON.stringify({
        name: 'retry-plan',
        work_units: [unit('a', 'first'), unit('b', 'second', ['a']), unit('c', 'third')],
      }),
    );
    const id = `retry-plan-${Date.now().toString(36)}`;
    const ran = await runCli(
      [
        'run',
        first,
        '--id',
        id,
        '--repo',
        repo,
        '--task-queue',
        fixture.taskQueue,
        '--json',
        ...connection(),
      ],
      120_000,
    );
    expect(ran.code).toBe(0);

    const edited = path.join(dir, 'edited.json');
    writeFileSync(
      edited,
      JSON.stringify({
        name: 'retry-plan',
        work_units: [unit('a', 'first'), unit('b', 'second, done better', ['a']), unit('d', 'fourth')],
      }),
    );
    const retried = await runCli(
      ['retry', id, '--plan', edited, '--new-id', `${id}-fixed`, '--json', ...connection()],
      120_000,
    );

    expect(retried.stderr).toMatch(
      /^plan changes: 1 changed \(b\), 1 new \(d\), 1 removed \(c\); every other unit that succeeded is reused$/m,
    );
    expect(retried.code).toBe(0);
    const result = JSON.parse(retried.stdout) as FanoutResult;
    expect(Object.keys(result.units)).toEqual(['a', 'b', 'd']);
    expect(result.units.a).toMatchObject({ status: 'SUCCEEDED', reused_from: id });
    expect(result.units.b?.reused_from).toBeUndefined();
    expect({
      a: starts(repo, 'a'),
      b: starts(repo, 'b'),
      c: starts(repo, 'c'),
      d: starts(repo, 'd'),
    }).toEqual({
      a: 1,
      b: 2,
      c: 1,
      d: 1,
    });
  });

  it('refuses an edited plan that does not validate, before starting anything (exit 2)', async () => {
    const dir = mkdtempSync(path.join(base, 'bad-'));
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ work_units: [unit('a', 'x', ['nope'])] }));
    const run = await runCli(['retry', 'whatever-run', '--plan', bad, ...connection()], 60_000);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^parallel preflight rejected plan: /);
  });
});
