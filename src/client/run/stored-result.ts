/**
 * A large run's result lives in a file on the worker host (src/activities/run-store.ts); the
 * workflow returns its path and sha256. Here the client reads it back, checks the digest, and
 * hands on the whole result, so callers never see the difference when they share the host.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { FanoutResult } from '../../plan/types';
import { UsageError } from '../errors';

export async function loadStoredResult(result: FanoutResult): Promise<FanoutResult> {
  const file = result.result_file;
  if (file === undefined) return result;
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(
      `the result of run '${result.workflow_id ?? '?'}' (${result.status}) is stored on the worker host at ${file}, ` +
        `which cannot be read here (${error.code ?? error.message}); run this command on that host or read the file there`,
    );
  });
  const sha256 = createHash('sha256').update(text).digest('hex');
  if (result.result_sha256 !== undefined && sha256 !== result.result_sha256) {
    throw new UsageError(
      `${file} no longer matches the digest its run recorded (sha256 ${result.result_sha256}); it was changed after the run`,
    );
  }
  const stored = JSON.parse(text) as FanoutResult;
  return { ...stored, status: result.status, result_file: file, result_sha256: sha256 };
}
