/** src/git: git plumbing for git workspaces (SPEC §9), for the activities and the client. */

export { resolveBase, uncommittedCount, type BaseAnswer } from './base';
export { pointBranch } from './branches';
export { commitOutput, type OutputCommit } from './commit-output';
export { integrate, type IntegrateResult } from './integrate';
export { isAncestor } from './merge';
export { moveInto } from './move-into';
export { outsideChanges } from './outside-changes';
export { RefMoved, compareAndSwapRef, readRef } from './refs';
export { GitError, git, gitBytes, runGit } from './run-git';
export { startingPoint, type StartingPointAnswer } from './starting-point';
export { attemptWorktreePath, worktreeRoot } from './worktree-paths';
export { prepareWorktree, removeWorktree, settledPool } from './worktrees';
export {
  RemoteUnreachable,
  ensureRemoteClone,
  fetchCommits,
  missingCommits,
  pushRef,
  readRemoteRef,
  readRemoteRefs,
  readRemoteRefsUnder,
  remoteClonePath,
} from './remote';
export { commitFiles, filesOfFolder, type TreeFile } from './tree-commit';
export { localRefs, remoteRefs, type RefStore } from './ref-store';
