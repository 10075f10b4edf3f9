/**
 * The watch shortcut of SPEC §8.2 (changes-watch.ts) finds what walking everything again finds:
 * the same repo changed by the same operations, compared once through `landlock` (watched, only
 * touched names looked at) and once through `audit` (walked whole).
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChangeBaseline, type ChangeWatch } from '../../../src/activities/containment/changes';
import { makeRepo, removeRepos } from '../helpers';

afterAll(removeRepos);

async function files(repo: string, paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    await mkdir(join(repo, path, '..'), { recursive: true });
    await writeFile(join(repo, path), `${path}\n`);
  }
}

async function bothWays(prepare: string[], work: (repo: string) => Promise<void>) {
  const repo = await makeRepo();
  await files(repo, prepare);
  await mkdir(join(repo, '.agent/workers/a/tmp'), { recursive: true });
  const watch: ChangeWatch = {
    repo,
    namespaceRoot: '.agent/workers',
    allowedDirectories: ['src/a'],
    writable: [],
    allAreas: ['src/a'],
  };
  const watched = (await ChangeBaseline.take('landlock', watch)) as ChangeBaseline;
  const walked = (await ChangeBaseline.take('audit', watch)) as ChangeBaseline;
  await new Promise((resolve) => setTimeout(resolve, 30)); // past the file clock's tick
  await work(repo);
  return { watched: (await watched.changes()).changes, walked: (await walked.changes()).changes };
}

describe('ChangeBaseline under landlock (watched) and audit (walked)', () => {
  it('agree on files written, rewritten and removed in existing folders', async () => {
    const { watched, walked } = await bothWays(['src/a/one.txt', 'src/a/sub/two.txt'], async (repo) => {
      await writeFile(join(repo, 'src/a/one.txt'), 'changed\n');
      await rm(join(repo, 'src/a/sub/two.txt'));
      await writeFile(join(repo, 'src/a/sub/three.txt'), 'new\n');
    });
    expect(watched.map((c) => [c.path, c.kind])).toEqual([
      ['src/a/one.txt', 'modified'],
      ['src/a/sub/three.txt', 'added'],
      ['src/a/sub/two.txt', 'deleted'],
    ]);
    expect(watched).toEqual(walked);
  });

  it('agree on folders removed, renamed and created several levels deep', async () => {
    const prepare = ['src/a/old/x.txt', 'src/a/old/inner/y.txt', 'src/a/moved/z.txt', 'src/a/stay.txt'];
    const { watched, walked } = await bothWays(prepare, async (repo) => {
      await rm(join(repo, 'src/a/old'), { recursive: true });
      await rename(join(repo, 'src/a/moved'), join(repo, 'src/a/renamed'));
      await files(repo, ['src/a/new/deep/er/f.txt']);
    });
    expect(watched.map((c) => [c.path, c.kind])).toEqual([
      ['src/a/moved/z.txt', 'deleted'],
      ['src/a/new/deep/er/f.txt', 'added'],
      ['src/a/old/inner/y.txt', 'deleted'],
      ['src/a/old/x.txt', 'deleted'],
      ['src/a/renamed/z.txt', 'added'],
    ]);
    expect(watched).toEqual(walked);
  });

  it('agree when the allowed directory itself did not exist before', async () => {
    const { watched, walked } = await bothWays(['README.md'], async (repo) => {
      await files(repo, ['src/a/b/c.txt']);
    });
    expect(watched.map((c) => c.path)).toEqual(['src/a/b/c.txt']);
    expect(watched).toEqual(walked);
  });

  it('agree when a folder is replaced by a file and a file by a folder', async () => {
    const { watched, walked } = await bothWays(['src/a/dir/in.txt', 'src/a/file'], async (repo) => {
      await rm(join(repo, 'src/a/dir'), { recursive: true });
      await writeFile(join(repo, 'src/a/dir'), 'now a file\n');
      await rm(join(repo, 'src/a/file'));
      await files(repo, ['src/a/file/inside.txt']);
    });
    expect(watched.map((c) => [c.path, c.kind])).toEqual([
      ['src/a/dir', 'added'],
      ['src/a/dir/in.txt', 'deleted'],
      ['src/a/file', 'deleted'],
      ['src/a/file/inside.txt', 'added'],
    ]);
    expect(watched).toEqual(walked);
  });
});
