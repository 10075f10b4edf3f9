/**
 * A large run's result lives in a file on the worker host (src/activities/run-store.ts); the
 * workflow returns its path and sha256. Here the client reads it back, checks the digest, and
 * hands on the whole result, so callers never see the difference when they share the host. A
 * remote run's result is on its remote (a `git:` path, SPEC §10), read from any machine.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FanoutResult } from '../../plan/types';
import { UsageError } from '../errors';
import { isGitPath, refOfGitPath } from '../../contracts/run-store-refs';
import { readGitPath } from './stored-result-remote';

/** @param remote the run's `--remote` (its memo's `git_remote`), where a `git:` path is read. */
export async function loadStoredResult(result: FanoutResult, remote?: string): Promise<FanoutResult> {
  const file = result.result_file;
  if (file === undefined) return result;
  const text = await readResultFile(result, file, remote);
  const sha256 = createHash('sha256').update(text).digest('hex');
  if (result.result_sha256 !== undefined && sha256 !== result.result_sha256) {
    throw new UsageError(
      `${file} no longer matches the digest its run recorded (sha256 ${result.result_sha256}); it was changed after the run`,
    );
  }
  const stored = JSON.parse(text) as FanoutResult;
  return { ...stored, status: result.status, result_file: file, result_sha256: sha256 };
}

function readResultFile(result: FanoutResult, file: string, remote: string | undefined): Promise<string> {
  if (isGitPath(file)) {
    if (remote === undefined) {
      throw new UsageError(
        `the result of run '${result.workflow_id ?? '?'}' (${result.status}) is stored on its remote as ${file}, ` +
          `but the run records no remote (memo git_remote); read it with \`git fetch <remote> ${refOfGitPath(file)}\``,
      );
    }
    return readGitPath(remote, file);
  }
  return readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(
      `the result of run '${result.workflow_id ?? '?'}' (${result.status}) is stored on the worker host at ${file}, ` +
        `which cannot be read here (${error.code ?? error.message}); run this command on that host or read the file there`,
    );
  });
}
