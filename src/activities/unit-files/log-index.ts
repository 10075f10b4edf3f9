/**
 * Appends one launch to `logs/runs.jsonl` (SPEC §8.7): which run's attempt starts writing at which
 * byte of its attempt log, so `agent-fanout logs` can print each run's own bytes.
 */

import { join } from 'node:path';
import { LOG_INDEX_FILE, logIndexLine, type LogIndexEntry } from '../../contracts/log-index';
import { appendFileNoFollow, type CheckedFolders } from '../containment/safe-write';
import type { NamespacePaths } from './namespace';

/** Records `entry` in the unit's log index; one small append, never through a link. */
export async function recordLaunchInLogIndex(
  repo: string,
  paths: NamespacePaths,
  entry: LogIndexEntry,
  checked?: CheckedFolders,
): Promise<void> {
  await appendFileNoFollow(repo, join(paths.logsDir, LOG_INDEX_FILE), logIndexLine(entry), checked);
}
