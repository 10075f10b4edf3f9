import { mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  collectEvidence,
  countArtifacts,
  settleDelayMs,
  snapshotArtifacts,
} from '../../../src/activities/unit-files/evidence';
import { makeRepo, removeRepos } from '../helpers';

afterAll(removeRepos);

async function artifactsDir(): Promise<string> {
  const dir = join(await makeRepo(), 'artifacts');
  await mkdir(dir);
  return dir;
}

describe('collectEvidence', () => {
  it('counts a file rewritten with identical content once the settle delay has passed', async () => {
    const dir = await artifactsDir();
    await writeFile(join(dir, 'out.md'), 'same\n');
    const before = snapshotArtifacts(dir);
    // Just written, a rewrite could land in the same clock tick. Asked at the moment of the write,
    // not after it: on a loaded machine the whole window may pass before Date.now() runs (CI saw it).
    expect(settleDelayMs(before, before.newestChangeMs)).toBeGreaterThan(0);
    // Node's timers can fire a millisecond early by Date.now's reckoning, hence the 2 ms over.
    await delay(settleDelayMs(before, Date.now()) + 2);
    await writeFile(join(dir, 'out.md'), 'same\n');
    expect(await collectEvidence(dir, '*', before.snapshot)).toEqual([
      expect.objectContaining({ name: 'out.md', size: 5 }),
    ]);
  });

  it('needs no settle delay for files last changed long ago', async () => {
    const dir = await artifactsDir();
    await writeFile(join(dir, 'old.md'), 'old\n');
    await utimes(join(dir, 'old.md'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    const before = snapshotArtifacts(dir);
    // ctime cannot be set back; it is a few ms old at most, so wait it out once. Node's timers can
    // fire a millisecond early by Date.now's reckoning (CI saw it), hence the 2 ms over.
    await delay(settleDelayMs(before, Date.now()) + 2);
    expect(settleDelayMs(snapshotArtifacts(dir), Date.now())).toBe(0);
  });

  it('counts a new file even when its mtime is older than the attempt', async () => {
    const dir = await artifactsDir();
    const before = snapshotArtifacts(dir);
    await writeFile(join(dir, 'copied.md'), 'kept its date\n');
    await utimes(join(dir, 'copied.md'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect((await collectEvidence(dir, '*', before.snapshot)).map((entry) => entry.name)).toEqual([
      'copied.md',
    ]);
  });

  it('does not count a symlink, even to a regular file', async () => {
    const dir = await artifactsDir();
    const before = snapshotArtifacts(dir);
    await writeFile(join(dir, '..', 'real.md'), 'real\n');
    await symlink('../real.md', join(dir, 'link.md'));
    expect(await collectEvidence(dir, '*', before.snapshot)).toEqual([]);
  });
});

describe('countArtifacts', () => {
  it('counts regular non-empty matching files whatever their age, and 0 for a missing directory', async () => {
    const dir = await artifactsDir();
    await writeFile(join(dir, 'a.md'), 'a\n');
    await writeFile(join(dir, 'b.md'), 'b\n');
    await writeFile(join(dir, 'empty.md'), '');
    await writeFile(join(dir, 'c.txt'), 'c\n');
    await utimes(join(dir, 'a.md'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    expect(await countArtifacts(dir, '*.md')).toBe(2);
    expect(await countArtifacts(join(dir, 'missing'), '*')).toBe(0);
  });
});
