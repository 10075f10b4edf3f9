/**
 * The git plumbing (src/git) the git-workspace activities use, in one place, so the activities
 * name each function once and a move inside src/git touches only this file.
 */

export {
  attemptWorktreePath,
  commitOutput,
  compareAndSwapRef,
  GitError,
  integrate,
  moveInto,
  outsideChanges,
  pointBranch,
  prepareWorktree,
  readRef,
  RefMoved,
  removeWorktree,
  runGit,
  startingPoint,
  worktreeRoot,
} from '../../git';
