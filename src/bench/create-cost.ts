/**
 * What creating a file or folder costs in the bench's scratch folder, in kernel CPU. Every launch
 * creates about ten, and on some disks that dominates a unit's CPU: ext4 without a journal walks
 * past every inode deleted in the last minute or so to find a free one (0.4 to 0.9 ms a create after
 * a large delete, against 10 µs on tmpfs; docs/performance.md). Printed with the results so that
 * runs on differently loaded disks are not compared as if alike.
 */
import { closeSync, constants, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';

/** Namespaces the probe lays out, each like a launch's: a folder, four folders in it, three files. */
const PROBE_NAMESPACES = 40;
const PROBE_FOLDERS = ['artifacts', 'tmp', 'logs', 'handoffs'];
const PROBE_FILES = ['worker-manifest.json', 'tmp/prompt.md', 'logs/attempt-1.log'];
/** Above this a create is paying for recent deletes (on a quiet ext4 here, 25 to 80 µs; tmpfs, 10). */
export const DISK_STILL_SETTLING_MICROS = 150;
const QUIET_DISK_CREATE_MICROS = 50;
const CREATES_PER_LAUNCH = 10;

/** How much higher than on a quiet disk CPU per launch reads at this create cost, in ms. */
export function settlingCostPerLaunchMs(createMicros: number): number {
  const extra = Math.max(0, createMicros - QUIET_DISK_CREATE_MICROS) * CREATES_PER_LAUNCH;
  return Math.round(extra / 100) / 10;
}

/**
 * Microseconds of CPU (user + system) per folder or file created below `scratch`, laid out the way
 * launches lay out their namespaces. New folders matter: ext4 places each in a group of its own
 * choosing, so a probe that only creates files in one folder misses most of the cost.
 */
export function fileCreateMicros(scratch: string): number {
  const root = path.join(scratch, 'create-cost-probe');
  mkdirSync(root);
  let creates = 0;
  const before = process.cpuUsage();
  for (let i = 0; i < PROBE_NAMESPACES; i++) {
    const namespace = path.join(root, `unit-${i}`);
    mkdirSync(namespace);
    for (const folder of PROBE_FOLDERS) mkdirSync(path.join(namespace, folder));
    for (const file of PROBE_FILES) {
      const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL;
      closeSync(openSync(path.join(namespace, file), flags));
    }
    creates += 1 + PROBE_FOLDERS.length + PROBE_FILES.length;
  }
  const used = process.cpuUsage(before);
  // Left in place: deleting them would make the next creates slower, on exactly such a disk.
  return Math.round((used.user + used.system) / creates);
}
