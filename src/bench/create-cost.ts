/**
 * What creating a file costs in the bench's scratch folder, in kernel CPU. Every launch creates
 * about ten files and folders, and on some disks that dominates a unit's CPU: ext4 without a
 * journal walks past every inode deleted in the last minute to find a free one (0.6 to 0.9 ms a
 * create after a large delete, against 10 µs on tmpfs; docs/performance.md). Printed with the
 * results so that runs on differently loaded disks are not compared as if alike.
 */
import { closeSync, constants, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';

const PROBE_FILES = 200;

/** Microseconds of CPU (user + system) per file created in a fresh folder below `scratch`. */
export function fileCreateMicros(scratch: string): number {
  const folder = path.join(scratch, 'create-cost-probe');
  mkdirSync(folder);
  const before = process.cpuUsage();
  for (let i = 0; i < PROBE_FILES; i++) {
    closeSync(
      openSync(path.join(folder, String(i)), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL),
    );
  }
  const used = process.cpuUsage(before);
  // Left in place: deleting them would make the next creates slower, on exactly such a disk.
  return Math.round((used.user + used.system) / PROBE_FILES);
}
