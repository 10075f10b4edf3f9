/**
 * A worker's side of a shared remote (SPEC §10) with real git: its bare clone, commits fetched by
 * SHA, compare-and-swap pushes, remote refs read with ls-remote, and a remote it cannot reach.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RefMoved } from '../../src/git/refs';
import {
  RemoteUnreachable,
  ensureRemoteClone,
  fetchCommits,
  missingCommits,
  pushRef,
  readRemoteRef,
  readRemoteRefs,
  remoteClonePath,
} from '../../src/git/remote';
import { commitFiles, gitIn, makeRepo, removeRepo } from './git-repo';

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function scratch(prefix: string): string {
  const folder = realpathSync(mkdtempSync(path.join(tmpdir(), prefix)));
  folders.push(folder);
  return folder;
}

/** A bare remote holding `main` with two commits, and a work directory for a worker. */
function remoteFixture(): { remote: string; workdir: string; first: string; second: string } {
  const source = makeRepo('fanout-remote-src-');
  const first = commitFiles(source, { 'a.txt': 'a\n' }, 'first');
  const second = commitFiles(source, { 'b.txt': 'b\n' }, 'second', first);
  const holder = scratch('fanout-remote-');
  const remote = path.join(holder, 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', remote]);
  gitIn(source, 'push', '-q', remote, `${second}:refs/heads/main`);
  removeRepo(source);
  return { remote, workdir: scratch('fanout-workdir-'), first, second };
}

function refOn(remote: string, ref: string): string | null {
  try {
    return gitIn(remote, 'rev-parse', '--verify', '--quiet', ref);
  } catch {
    return null;
  }
}

describe("a worker's clone of a remote", () => {
  it('is one bare repository per URL under <workdir>/remotes, made once even when asked for at once', async () => {
    const { remote, workdir } = remoteFixture();

    const clones = await Promise.all([1, 2, 3, 4].map(() => ensureRemoteClone(workdir, remote)));

    expect(new Set(clones).size).toBe(1);
    expect(clones[0]).toBe(remoteClonePath(workdir, remote));
    expect(path.dirname(clones[0] ?? '')).toBe(path.join(workdir, 'remotes'));
    expect(gitIn(clones[0] ?? '', 'rev-parse', '--is-bare-repository')).toBe('true');
    expect(gitIn(clones[0] ?? '', 'config', 'gc.auto')).toBe('0');
    expect(remoteClonePath(workdir, `file://${remote}`)).not.toBe(clones[0]);
  });

  it('is named by the URL’s text for a URL, whatever the worker’s cwd', () => {
    const url = 'ssh://git@example.com/team/app.git';
    const key = path.basename(remoteClonePath('/w', url));

    expect(key).toMatch(/^app\.git-[0-9a-f]{16}\.git$/);
    expect(path.basename(remoteClonePath('/w', 'git@example.com:team/app.git'))).toMatch(/^app\.git-/);
    const cwd = process.cwd();
    try {
      process.chdir('/');
      expect(path.basename(remoteClonePath('/w', url))).toBe(key);
    } finally {
      process.chdir(cwd);
    }
  });

  it('fetches commits by SHA, with their history, and skips those it has', async () => {
    const { remote, workdir, first, second } = remoteFixture();
    const clone = await ensureRemoteClone(workdir, remote);
    expect(await missingCommits(clone, [first, second])).toEqual([first, second]);

    await fetchCommits(clone, `file://${remote}`, [second]);

    expect(await missingCommits(clone, [first, second])).toEqual([]);
    // Nothing to fetch: no remote is asked (an unreachable URL would throw otherwise).
    await fetchCommits(clone, path.join(remote, 'gone.git'), [first, second]);
  });
});

describe('a ref on the remote', () => {
  it('is created only when absent, answers already when it holds the SHA, and RefMoved when it holds another', async () => {
    const { remote, workdir, first, second } = remoteFixture();
    const clone = await ensureRemoteClone(workdir, remote);
    await fetchCommits(clone, remote, [second]);
    const ref = 'refs/fanout/run-1/units/a';

    expect(await pushRef(clone, remote, ref, second, null)).toBe('updated');
    expect(refOn(remote, ref)).toBe(second);
    expect(await pushRef(clone, remote, ref, second, null)).toBe('already');

    const moved = await pushRef(clone, remote, ref, first, null).catch((error: unknown) => error);
    expect(moved).toBeInstanceOf(RefMoved);
    expect(moved).toMatchObject({ ref, expected: null, actual: second });
    expect(refOn(remote, ref)).toBe(second);
  });

  it('moves from the expected SHA only', async () => {
    const { remote, workdir, first, second } = remoteFixture();
    const clone = await ensureRemoteClone(workdir, remote);
    await fetchCommits(clone, remote, [second]);

    await expect(pushRef(clone, remote, 'refs/heads/main', first, first)).rejects.toBeInstanceOf(RefMoved);
    expect(await pushRef(clone, `file://${remote}`, 'refs/heads/main', first, second)).toBe('updated');
    expect(refOn(remote, 'refs/heads/main')).toBe(first);
  });

  it('is read with ls-remote, exact names only', async () => {
    const { remote, workdir, second } = remoteFixture();
    const clone = await ensureRemoteClone(workdir, remote);

    const refs = await readRemoteRefs(clone, remote, ['refs/heads/main', 'main', 'refs/heads/none']);

    expect([...refs]).toEqual([['refs/heads/main', second]]);
    expect(await readRemoteRef(clone, remote, 'refs/heads/none')).toBeNull();
  });
});

describe('a remote the worker cannot reach', () => {
  const cases: [string, (holder: string) => string][] = [
    ['a path that is not a repository', (holder) => holder],
    ['a path that does not exist', (holder) => path.join(holder, 'missing.git')],
    ['a file:// URL of nothing', (holder) => `file://${path.join(holder, 'missing.git')}`],
  ];
  it.each(cases)('is RemoteUnreachable naming the URL and git’s reason: %s', async (_name, urlOf) => {
    const { workdir } = remoteFixture();
    const url = urlOf(scratch('fanout-nothing-'));
    const clone = await ensureRemoteClone(workdir, url);

    for (const step of [
      () => readRemoteRef(clone, url, 'refs/heads/main'),
      () => fetchCommits(clone, url, ['1'.repeat(40)]),
      () => pushRef(clone, url, 'refs/heads/x', '1'.repeat(40), null),
    ]) {
      const error = await step().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RemoteUnreachable);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^could not reach the remote ${escape(url)}: .*; check the URL and this host's access to it$`,
        ),
      );
      expect((error as RemoteUnreachable).reason).not.toMatch(/^fatal:/);
    }
  });

  it('is not the answer when the remote lacks a commit it was asked for', async () => {
    const { remote, workdir } = remoteFixture();
    const clone = await ensureRemoteClone(workdir, remote);

    const error = await fetchCommits(clone, remote, ['1'.repeat(40)]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(RemoteUnreachable);
    expect(existsSync(clone)).toBe(true);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
