/**
 * Who this worker is among the hosts of a remote run (SPEC §10): one work directory on one
 * machine. A worker restarted with the same work directory is the same host, so it adopts the
 * agents its predecessor left running there.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import type { HostIdentity } from '../contracts/hosts';
import { hostQueueName } from '../contracts/hosts';
import { worktreeRoot } from '../git/worktree-paths';

export interface HostChoice {
  /** `--workdir`. @default the git worktree root (`FANOUT_WORKTREES`, else `/var/tmp/agent-fanout-<uid>`) */
  readonly workdir?: string;
  /** `--host`. @default `<hostname>:<workdir>` */
  readonly hostId?: string;
}

export function hostIdentity(
  taskQueue: string,
  choice: HostChoice,
  env: NodeJS.ProcessEnv = process.env,
): HostIdentity {
  const workdir =
    choice.workdir === undefined || choice.workdir === '' ? worktreeRoot(env) : path.resolve(choice.workdir);
  const id = choice.hostId === undefined || choice.hostId === '' ? `${hostname()}:${workdir}` : choice.hostId;
  return { id, queue: hostQueueName(taskQueue, id), workdir };
}
