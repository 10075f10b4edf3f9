/**
 * Reading a remote run's attempt logs from its evidence ref (SPEC §10) in a real bare repository:
 * the attempts the ref's commits hold, each log whole, nothing left in the temporary directory.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CommandFailed } from '../../../src/client/errors';
import { withEvidenceLogs, type EvidenceLogs } from '../../../src/client/run/evidence-log';
import { emptyDirectory, removeRepos } from '../git-mode/git-repos';
import { pushEvidence } from '../git-mode/evidence-commits';
import { bareRemote } from '../git-mode/remote-repos';

afterAll(removeRepos);

const RUN = 'fanout-remote-logs-1a2b3c4d';

function scratchRepos(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('agent-fanout-evidence-'));
}

async function everything(logs: EvidenceLogs): Promise<Record<number, string>> {
  const read: Record<number, string> = {};
  for (const attempt of logs.attempts) read[attempt] = await logs.read(attempt);
  return read;
}

describe('withEvidenceLogs', () => {
  it("reads every attempt's log from the ref's commits, the newest holding each, and removes its scratch repository", async () => {
    const { remote } = bareRemote();
    pushEvidence(remote, RUN, 'a', { 1: 'first try\nfailed\n' });
    pushEvidence(remote, RUN, 'a', { 2: 'second try\nüñí\n' }); // another host: attempt 1 only in the parent
    pushEvidence(remote, RUN, 'b', { 1: 'b only\n' });
    const before = scratchRepos();
    const seen: string[] = [];
    const read = await withEvidenceLogs(remote, RUN, 'a', async (logs) => {
      seen.push(...scratchRepos().filter((name) => !before.includes(name)));
      return { attempts: logs.attempts, logs: await everything(logs) };
    });
    expect(read).toEqual({ attempts: [1, 2], logs: { 1: 'first try\nfailed\n', 2: 'second try\nüñí\n' } });
    expect(seen).toHaveLength(1);
    expect(scratchRepos()).not.toContain(seen[0]);
  });

  it('lets a later commit of an attempt win over an earlier one', async () => {
    const { remote } = bareRemote();
    pushEvidence(remote, RUN, 'a', { 1: 'partial\n' });
    pushEvidence(remote, RUN, 'a', { 1: 'partial\nand the rest\n' });
    const text = await withEvidenceLogs(remote, RUN, 'a', (logs) => logs.read(1));
    expect(text).toBe('partial\nand the rest\n');
  });

  it('finds no attempt when the unit has no evidence ref yet', async () => {
    const { remote } = bareRemote();
    pushEvidence(remote, RUN, 'other', { 1: 'x\n' });
    expect(await withEvidenceLogs(remote, RUN, 'a', (logs) => Promise.resolve(logs.attempts))).toEqual([]);
  });

  it("says it could not reach the remote, with git's reason, and leaves nothing behind", async () => {
    const remote = path.join(emptyDirectory(), 'gone.git');
    const before = scratchRepos();
    const error = await withEvidenceLogs(remote, RUN, 'a', () => Promise.resolve('read')).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CommandFailed);
    expect((error as Error).message).toBe(
      `could not reach the remote ${remote}: '${remote}' does not appear to be a git repository; the run's logs are there once each attempt ends. ` +
        `Check that this host may read it (\`git ls-remote ${remote}\` must answer), then run again`,
    );
    expect(scratchRepos().filter((name) => !before.includes(name))).toEqual([]);
  });
});
