/**
 * The client's half of a run with --remote (SPEC §10) against real bare repositories: the base
 * from the checkout (pushed to refs/fanout/<id>/base) or from `git ls-remote`, names checked on
 * the remote, and an unreachable remote refused with git's reason.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { baseRef } from '../../../src/contracts/hosts';
import { UsageError } from '../../../src/client/errors';
import { defaultBranch } from '../../../src/client/git-mode/ref-names';
import { normalizeRemote } from '../../../src/client/git-mode/remote-refs';
import { resolveRemoteRun, type RemoteRunRequest } from '../../../src/client/git-mode/remote-run-settings';
import { emptyDirectory, gitIn, removeRepos } from './git-repos';
import { bareRemote, refsOf } from './remote-repos';

afterAll(removeRepos);

const NOW = new Date('2026-12-03T10:00:00.000Z');
const ID = 'fanout-remote-1a2b3c4d';

function request(remote: string, extra: Partial<RemoteRunRequest> = {}): RemoteRunRequest {
  return {
    remote,
    planName: 'remote plan',
    workflowId: ID,
    idSource: '--id',
    keepFailed: false,
    hostLossTimeoutMs: 90_000,
    now: NOW,
    ...extra,
  };
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as UsageError).message;
}

function commitIn(repo: string, file: string): string {
  writeFileSync(path.join(repo, file), `${file}\n`);
  gitIn(repo, 'add', '.');
  gitIn(repo, 'commit', '-q', '-m', file);
  return gitIn(repo, 'rev-parse', 'HEAD');
}

describe('resolveRemoteRun without a checkout', () => {
  it("starts from the remote's HEAD, with the remote and host_loss_timeout in the run's git input", async () => {
    const { remote, head } = bareRemote();
    const settings = await resolveRemoteRun(request(remote));
    expect(settings).toEqual({
      git: {
        base: head,
        branch: defaultBranch('remote plan', ID),
        keepFailed: false,
        identity: { name: 'agent-fanout', email: 'agent-fanout@localhost', date: NOW.toISOString() },
        remote,
        hostLossTimeoutMs: 90_000,
      },
    });
  });

  it('resolves --base as a branch or an annotated tag (peeled to its commit), and takes a full SHA as is', async () => {
    const { remote, checkout, head } = bareRemote();
    gitIn(checkout, 'tag', '-a', 'v1', '-m', 'v1');
    const later = commitIn(checkout, 'later.txt');
    gitIn(checkout, 'push', '-q', remote, 'main', 'v1');
    expect((await resolveRemoteRun(request(remote, { base: 'main' }))).git.base).toBe(later);
    expect((await resolveRemoteRun(request(remote, { base: 'v1' }))).git.base).toBe(head);
    expect((await resolveRemoteRun(request(remote, { base: 'refs/heads/main' }))).git.base).toBe(later);
    const unknown = 'a'.repeat(40);
    expect((await resolveRemoteRun(request(remote, { base: unknown.toUpperCase() }))).git.base).toBe(unknown);
  });

  it('refuses a --base that is neither a branch, a tag nor a full SHA there', async () => {
    const { remote, head } = bareRemote();
    expect(await refusal(resolveRemoteRun(request(remote, { base: head.slice(0, 7) })))).toBe(
      `--base '${head.slice(0, 7)}' is not a branch or tag on the remote ${remote}; without --repo, pass a branch, a tag or a full 40-hex commit SHA ` +
        `(\`git ls-remote ${remote}\` lists them), or pass --repo <checkout> to resolve it there`,
    );
  });

  it('refuses an empty remote, which has no HEAD to start from', async () => {
    const remote = path.join(emptyDirectory(), 'empty.git');
    gitIn(path.dirname(remote), 'init', '-q', '--bare', remote);
    expect(await refusal(resolveRemoteRun(request(remote)))).toMatch(
      /^the remote .*empty\.git has no HEAD commit \(is it empty\?\); push a commit there first/,
    );
  });

  it("refuses a remote git cannot reach, with git's reason and what to check", async () => {
    const remote = path.join(emptyDirectory(), 'missing.git');
    expect(await refusal(resolveRemoteRun(request(remote)))).toBe(
      `could not reach the remote ${remote}: '${remote}' does not appear to be a git repository; ` +
        `check the URL, that a git repository is there and that this host may read it (\`git ls-remote ${remote}\` must answer), then run again`,
    );
  });

  it('refuses a branch that already exists on the remote, and refs of an earlier run under the id', async () => {
    const { remote, head } = bareRemote();
    expect(await refusal(resolveRemoteRun(request(remote, { branch: 'main' })))).toBe(
      `branch 'main' already exists on the remote ${remote}; a run ends on a branch of its own: pass --branch <new name>, ` +
        `or delete the old one there first (git push ${remote} --delete main)`,
    );
    gitIn(remote, 'update-ref', `refs/fanout/${ID}/integration`, head);
    expect(await refusal(resolveRemoteRun(request(remote)))).toMatch(
      new RegExp(
        `^an earlier run '${ID}' left its refs on the remote .*; a git run needs an id of its own: pass another --id, ` +
          `or delete them there first \\(git push .* --delete refs/fanout/${ID}/integration\\)$`,
      ),
    );
  });

  it('refuses names git refuses, before asking the remote', async () => {
    const { remote } = bareRemote();
    expect(await refusal(resolveRemoteRun(request(remote, { branch: 'a b' })))).toMatch(
      /^--branch 'a b' is not a usable branch name/,
    );
    expect(await refusal(resolveRemoteRun(request(remote, { workflowId: 'x/y' })))).toMatch(
      /^--id 'x\/y' cannot name the run's git refs/,
    );
  });
});

describe('resolveRemoteRun with a checkout', () => {
  it('resolves the base there, says what uncommitted work is left out, and pushes the base only when asked', async () => {
    const { remote, checkout } = bareRemote();
    const local = commitIn(checkout, 'local.txt'); // on no branch of the remote
    writeFileSync(path.join(checkout, 'wip.txt'), 'wip\n');
    const before = refsOf(remote);
    const settings = await resolveRemoteRun(request(remote, { checkout }));
    expect(settings.git).toMatchObject({ base: local, remote, hostLossTimeoutMs: 90_000 });
    expect(settings.notice).toBe(
      `git mode starts from ${local.slice(0, 7)}; 1 uncommitted change(s) in ${checkout} are not part of this run.`,
    );
    expect(refsOf(remote)).toBe(before);
    await settings.pushBase?.();
    expect(gitIn(remote, 'rev-parse', baseRef(ID))).toBe(local);
    // A second start under the id (the first never started) finds its own base there and goes on.
    const again = await resolveRemoteRun(request(remote, { checkout }));
    expect(again.git.base).toBe(local);
    expect(again.pushBase).toBeUndefined();
  });

  it('refuses a base pushed by another run under the id', async () => {
    const { remote, checkout, head } = bareRemote();
    commitIn(checkout, 'local.txt');
    gitIn(remote, 'update-ref', baseRef(ID), head);
    expect(await refusal(resolveRemoteRun(request(remote, { checkout })))).toMatch(
      /^an earlier run .* left its refs on the remote/,
    );
  });
});

describe('normalizeRemote', () => {
  it('makes a relative path absolute and leaves URLs and scp-like addresses alone', () => {
    expect(normalizeRemote('../app.git', '/home/me/src')).toBe('/home/me/app.git');
    expect(normalizeRemote('/srv/app.git', '/x')).toBe('/srv/app.git');
    expect(normalizeRemote('ssh://git@host/app.git', '/x')).toBe('ssh://git@host/app.git');
    expect(normalizeRemote('git@host:team/app.git', '/x')).toBe('git@host:team/app.git');
    expect(normalizeRemote('file:///srv/app.git', '/x')).toBe('file:///srv/app.git');
  });
});
