/**
 * The git plumbing (src/git) the git-workspace activities use, in one place, so the activities
 * name each function once and a move inside src/git touches only this file.
 */

export { integrate } from '../../git/integrate';
export { compareAndSwapRef, readRef, RefMoved } from '../../git/refs';
export { startingPoint } from '../../git/starting-point';
export {
  attemptWorktreePath,
  commitOutput,
  moveInto,
  outsideChanges,
  pointBranch,
  prepareWorktree,
  removeWorktree,
  worktreeRoot,
} from './git-stand-ins';
