/** A bare repository as a run's remote (SPEC §10), made from a checkout with one commit on main. */
import path from 'node:path';
import { emptyDirectory, gitIn, repoWithCommit } from './git-repos';

export interface RemoteFixture {
  /** The bare repository's absolute path: the `--remote`. */
  readonly remote: string;
  /** The checkout it was cloned from; its `main` is the remote's. */
  readonly checkout: string;
  /** The remote's HEAD commit (main). */
  readonly head: string;
}

/** A bare clone of a fresh checkout; removed with the checkout by `removeRepos`. */
export function bareRemote(): RemoteFixture {
  const { repo: checkout, head } = repoWithCommit();
  const remote = path.join(emptyDirectory(), 'remote.git');
  gitIn(path.dirname(remote), 'clone', '-q', '--bare', checkout, remote);
  return { remote, checkout, head };
}

/** Every ref of a repository with its SHA, one per line: a refused run leaves them as they were. */
export function refsOf(repo: string): string {
  return gitIn(repo, 'for-each-ref', '--format=%(refname) %(objectname)');
}
