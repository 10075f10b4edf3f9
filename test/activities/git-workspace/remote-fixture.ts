/**
 * Fixtures for remote runs (SPEC §10): a bare repository as the remote (the git fixture's commit
 * pushed to it, the checkout then never used by the worker), and worker hosts, each a work
 * directory of its own.
 */

import { execFileSync } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StartingInput } from '../../../src/contracts/git';
import { attemptOwnerKey, hostQueueName, type HostIdentity } from '../../../src/contracts/hosts';
import type { AttemptInput } from '../../../src/activities/types';
import type { UnitSettings, WorkUnit } from '../../../src/plan/types';
import { gitFixture, gitIn, gitInput, type GitFixture } from './git-fixture';

const folders: string[] = [];

export interface RemoteFixture extends GitFixture {
  /** A bare repository holding the base on `main`. */
  readonly remote: string;
}

export function remoteFixture(): RemoteFixture {
  const fixture = gitFixture();
  const holder = realpathSync(mkdtempSync(path.join(tmpdir(), 'fanout-remote-')));
  folders.push(holder);
  const remote = path.join(holder, 'remote.git');
  execFileSync('git', ['init', '-q', '--bare', remote]);
  gitIn(fixture.source, 'push', '-q', remote, `${fixture.base}:refs/heads/main`);
  return { ...fixture, remote };
}

/** A worker host: its own work directory (outside $HOME), id and queue. */
export function workerHost(id: string): HostIdentity {
  const workdir = realpathSync(mkdtempSync(path.join(tmpdir(), `fanout-host-${id}-`)));
  folders.push(workdir);
  return { id, queue: hostQueueName('fanout-test', id), workdir };
}

export function removeRemoteFixtures(): void {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
}

/** A remote run's attempt: no checkout (`repo` ''), the remote's URL, the agent attempt's owner key. */
export function remoteInput(
  fixture: RemoteFixture,
  workUnit: WorkUnit,
  unitSettings: UnitSettings,
  options: { attempt?: number; merges?: StartingInput[]; url?: string } = {},
): AttemptInput {
  const input = gitInput(fixture, workUnit, unitSettings, options);
  if (input.git === undefined) throw new Error('gitInput gives a git attempt');
  return {
    ...input,
    repo: '',
    ownerKey: attemptOwnerKey(workUnit.unitId, options.attempt ?? 1),
    git: { ...input.git, remote: options.url ?? fixture.remote },
  };
}

/** The SHA a ref holds on the remote, or null. */
export function remoteRef(fixture: RemoteFixture, ref: string): string | null {
  try {
    return gitIn(fixture.remote, 'rev-parse', '--verify', '--quiet', ref);
  } catch {
    return null;
  }
}

/** A file of a commit on the remote. */
export function remoteFile(fixture: RemoteFixture, rev: string, file: string): string {
  return gitIn(fixture.remote, 'show', `${rev}:${file}`);
}
