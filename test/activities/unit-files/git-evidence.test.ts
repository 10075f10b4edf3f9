/**
 * A retry of a git run reuses a unit only while its output commit still exists and its evidence
 * copy under `.agent/runs/<workflow id>/<unit_id>/` is unchanged (SPEC §9 "Retry"). Real git.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { evidencePaths } from '../../../src/activities/git-workspace/evidence-copy';
import { commitsPresent } from '../../../src/activities/unit-files/commits-present';
import { verifyArtifacts } from '../../../src/activities/unit-files/verify-artifacts';
import { commitFiles, gitIn, makeRepo, removeRepo, write } from '../../git/git-repo';

const repos: string[] = [];
afterAll(() => repos.splice(0).forEach(removeRepo));

function repoWithCommit(): { repo: string; commit: string } {
  const repo = makeRepo('fanout-evidence-');
  repos.push(repo);
  return { repo, commit: commitFiles(repo, { 'src/a/x.txt': 'x\n' }, 'unit a') };
}

const artifact = (content: string) => ({
  name: 'report.md',
  size: Buffer.byteLength(content),
  sha256: createHash('sha256').update(content).digest('hex'),
});

describe('commitsPresent', () => {
  it('finds commits, and not a missing one, a tree, or a short SHA', async () => {
    const { repo, commit } = repoWithCommit();
    const tree = gitIn(repo, 'rev-parse', `${commit}^{tree}`);
    const present = await commitsPresent(repo, {
      a: commit,
      missing: 'f'.repeat(40),
      tree,
      short: commit.slice(0, 12),
    });
    expect([...present]).toEqual(['a']);
  });

  it('asks git nothing when there is nothing to ask', async () => {
    expect(await commitsPresent('/nonexistent', {})).toEqual(new Set());
  });
});

describe('verifyArtifacts of a git run', () => {
  it("reads the evidence copy of the earlier run and needs the unit's commit", async () => {
    const { repo, commit } = repoWithCommit();
    const runId = 'earlier-run';
    for (const unitId of ['a', 'gone']) {
      write(evidencePaths(repo, runId, unitId).artifactDir, { 'report.md': 'done\n' });
    }
    const intact = await verifyArtifacts({
      repo,
      namespaceRoot: '.agent/workers',
      units: { a: [artifact('done\n')], gone: [artifact('done\n')], absent: [artifact('done\n')] },
      git: { runId, commits: { a: commit, gone: 'e'.repeat(40), absent: commit } },
    });
    expect(intact).toEqual(['a']);
    expect(path.relative(repo, evidencePaths(repo, runId, 'a').artifactDir)).toBe(
      '.agent/runs/earlier-run/a/artifacts',
    );
  });

  it('refuses a unit whose evidence copy changed', async () => {
    const { repo, commit } = repoWithCommit();
    write(evidencePaths(repo, 'r', 'a').artifactDir, { 'report.md': 'changed\n' });
    const intact = await verifyArtifacts({
      repo,
      namespaceRoot: '.agent/workers',
      units: { a: [artifact('done\n')] },
      git: { runId: 'r', commits: { a: commit } },
    });
    expect(intact).toEqual([]);
  });
});
