/**
 * The git plumbing (src/git) the git-workspace activities use, in one place, so the activities
 * name each function once and a move inside src/git touches only this file.
 */

export {
  attemptWorktreePath,
  commitFiles,
  commitOutput,
  compareAndSwapRef,
  ensureRemoteClone,
  fetchCommits,
  filesOfFolder,
  GitError,
  gitBytes,
  integrate,
  localRefs,
  moveInto,
  outsideChanges,
  pointBranch,
  prepareWorktree,
  pushRef,
  readRef,
  readRemoteRef,
  readRemoteRefs,
  readRemoteRefsUnder,
  RefMoved,
  type RefStore,
  remoteRefs,
  remoteClonePath,
  RemoteUnreachable,
  removeWorktree,
  runGit,
  startingPoint,
  worktreeRoot,
} from '../../git';
