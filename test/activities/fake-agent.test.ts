import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FAKE, makeRepo, removeRepos } from './helpers';

afterAll(removeRepos);

const run = promisify(execFile);

async function fake(cwd: string, args: string[], env: Record<string, string> = {}) {
  return run(FAKE, args, { cwd, env: { PATH: process.env.PATH ?? '', ...env } }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      stdout: error.stdout,
      stderr: error.stderr,
    }),
  );
}

describe('fake agent (scenarios README §4)', () => {
  it('is executable (mode 755)', async () => {
    expect((await stat(FAKE)).mode & 0o777).toBe(0o755);
  });

  it('exits 64 with an error on stderr for a bad flag or a missing argument', async () => {
    const dir = await makeRepo();
    expect(await fake(dir, ['--say', 'x', '--bogus'])).toMatchObject({
      code: 64,
      stdout: 'x\n',
      stderr: expect.stringContaining('--bogus') as string,
    });
    expect((await fake(dir, ['--sleep-ms'])).code).toBe(64);
  });

  it('performs actions left to right, --if-attempt gating only the next one', async () => {
    const dir = await makeRepo();
    const env = { FANOUT_ATTEMPT: '2', FANOUT_UNIT_ID: 'u', FANOUT_ARTIFACT_DIR: join(dir, 'art') };
    const args = [
      '--count',
      'c/n.txt',
      '--if-attempt',
      '1',
      '--say',
      'no',
      '--if-attempt',
      '2',
      '--say',
      'yes',
      '--artifact',
      'x.md',
      '--exit',
      '3',
      '--say',
      'never',
    ];
    expect(await fake(dir, args, env)).toMatchObject({ code: 3, stdout: 'yes\n' });
    expect(await readFile(join(dir, 'c/n.txt'), 'utf8')).toBe('u attempt=2\n');
    expect(await readFile(join(dir, 'art/x.md'), 'utf8')).toBe('fake agent artifact\n');
  });

  it('fails on purpose before the given attempt', async () => {
    const dir = await makeRepo();
    expect(
      await fake(dir, ['--fail-until-attempt', '3', '--say', 'ok'], { FANOUT_ATTEMPT: '2' }),
    ).toMatchObject({
      code: 1,
      stdout: 'attempt 2 fails on purpose\n',
    });
    expect(
      await fake(dir, ['--fail-until-attempt', '3', '--say', 'ok'], { FANOUT_ATTEMPT: '3' }),
    ).toMatchObject({ code: 0, stdout: 'ok\n' });
  });
});
