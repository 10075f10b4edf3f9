/**
 * Live entries (SPEC §10, returning hosts): while a remote attempt runs its agent on this host, a
 * file `<workdir>/live/<sha1>.json` says which run, unit and attempt the agent belongs to. An entry
 * left behind by a worker that died is how the worker that comes back on this host finds agents
 * nobody follows any more (orphan-sweep.ts).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface LiveEntry {
  readonly workflowId: string;
  readonly unitId: string;
  /** The agent attempt (`FANOUT_ATTEMPT`). */
  readonly attempt: number;
  /** The host id the attempt ran under. */
  readonly host: string;
  /** The attempt record its supervisor wrote (pid, start time, process group). */
  readonly recordPath: string;
  /** The working tree the agent runs in. */
  readonly tree: string;
}

/** Entry paths an activity of this process follows right now: the sweep leaves them be. */
const followedHere = new Set<string>();

export function liveDirectory(workdir: string): string {
  return path.join(workdir, 'live');
}

/** `<workdir>/live/<sha1 of ownerKey + workflowId>.json`: one file per agent attempt of a run. */
export function liveEntryPath(workdir: string, ownerKey: string, workflowId: string): string {
  const name = createHash('sha1').update(`${ownerKey}\n${workflowId}`).digest('hex');
  return path.join(liveDirectory(workdir), `${name}.json`);
}

/** Writes the entry (atomically) and marks it followed by this process. */
export async function writeLiveEntry(file: string, entry: LiveEntry): Promise<void> {
  followedHere.add(file);
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(entry)}\n`);
  await rename(temporary, file);
}

/** The attempt ended here: its agent is gone, so is its entry. */
export async function removeLiveEntry(file: string): Promise<void> {
  followedHere.delete(file);
  await rm(file, { force: true });
}

/** The agent was left running on purpose (worker shutdown): the entry stays for whoever comes next. */
export function releaseLiveEntry(file: string): void {
  followedHere.delete(file);
}

export function isFollowedHere(file: string): boolean {
  return followedHere.has(file);
}

/** Every readable entry under `<workdir>/live/`, with its path; unreadable files are skipped. */
export async function readLiveEntries(workdir: string): Promise<{ file: string; entry: LiveEntry }[]> {
  const directory = liveDirectory(workdir);
  const names = await readdir(directory).catch(() => [] as string[]);
  const entries: { file: string; entry: LiveEntry }[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const file = path.join(directory, name);
    const entry = await readFile(file, 'utf8').then(parseEntry, () => undefined);
    if (entry !== undefined) entries.push({ file, entry });
  }
  return entries;
}

function parseEntry(text: string): LiveEntry | undefined {
  try {
    const value = JSON.parse(text) as Partial<LiveEntry>;
    const valid =
      typeof value.workflowId === 'string' &&
      typeof value.unitId === 'string' &&
      typeof value.attempt === 'number' &&
      typeof value.host === 'string' &&
      typeof value.recordPath === 'string' &&
      typeof value.tree === 'string';
    return valid ? (value as LiveEntry) : undefined;
  } catch {
    return undefined;
  }
}
