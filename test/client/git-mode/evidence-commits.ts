/** Evidence commits as workers push them (SPEC §10): a chain at refs/fanout/<id>/evidence/<unit>. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { evidenceRef } from '../../../src/contracts/hosts';
import { emptyDirectory, gitIn } from './git-repos';

/**
 * Commits a folder holding `logs/attempt-<n>.log` for each given attempt (and an artifact) onto
 * the unit's evidence ref in the bare `remote`, parented on what the ref held; returns the commit.
 */
export function pushEvidence(
  remote: string,
  runId: string,
  unitId: string,
  logs: Readonly<Record<number, string>>,
): string {
  const folder = emptyDirectory();
  mkdirSync(path.join(folder, 'logs'));
  mkdirSync(path.join(folder, 'artifacts'));
  writeFileSync(path.join(folder, 'artifacts', 'report.md'), 'done\n');
  for (const [attempt, text] of Object.entries(logs))
    writeFileSync(path.join(folder, 'logs', `attempt-${attempt}.log`), text);
  const env = {
    ...process.env,
    GIT_DIR: remote,
    GIT_WORK_TREE: folder,
    GIT_INDEX_FILE: path.join(emptyDirectory(), 'index'),
    GIT_AUTHOR_NAME: 'worker',
    GIT_AUTHOR_EMAIL: 'worker@example.com',
    GIT_COMMITTER_NAME: 'worker',
    GIT_COMMITTER_EMAIL: 'worker@example.com',
  };
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: folder, env, encoding: 'utf8' }).trim();
  git('add', '-A', '.');
  const tree = git('write-tree');
  const ref = evidenceRef(runId, unitId);
  const parent = gitIn(remote, 'for-each-ref', '--format=%(objectname)', ref);
  const commit = git(
    'commit-tree',
    tree,
    ...(parent === '' ? [] : ['-p', parent]),
    '-m',
    `evidence of ${unitId}`,
  );
  gitIn(remote, 'update-ref', ref, commit);
  return commit;
}
