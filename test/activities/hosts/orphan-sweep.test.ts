/**
 * The orphan sweep of a returning host (SPEC §10) with real processes and files, and a lookup in
 * place of the server: an agent of a closed run or of an abandoned attempt is stopped and its tree
 * and live entry removed; one whose run still follows it, one this process follows, and one whose
 * run the server could not tell about are left alone.
 */
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readPidScope, readProcessStartTicks } from '../../../src/activities/agent/attempt-record';
import {
  liveEntryPath,
  readLiveEntries,
  removeLiveEntry,
  writeLiveEntry,
} from '../../../src/activities/hosts/live-entries';
import { sweepOrphans, type RunStanding } from '../../../src/activities/hosts/orphan-sweep';
import { attemptOwnerKey } from '../../../src/contracts/hosts';

const workdir = realpathSync(mkdtempSync(path.join(tmpdir(), 'fanout-sweep-')));
const started: number[] = [];

afterAll(() => {
  for (const pid of started) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(workdir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A sleeping "agent" in a process group of its own, its tree and attempt record, and a live entry. */
async function orphanCandidate(workflowId: string, unitId: string, follow = false) {
  const tree = path.join(workdir, 'trees', workflowId, unitId);
  mkdirSync(tree, { recursive: true });
  const child = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
  const pid = child.pid ?? -1;
  child.unref();
  started.push(pid);
  const recordPath = path.join(tree, 'attempt-1.json');
  const record = {
    pid,
    pgid: pid,
    processStartTicks: await readProcessStartTicks(pid),
    ...(await readPidScope()),
  };
  writeFileSync(recordPath, JSON.stringify(record));
  const file = liveEntryPath(workdir, attemptOwnerKey(unitId, 1), workflowId);
  await writeLiveEntry(file, { workflowId, unitId, attempt: 1, host: 'here', recordPath, tree });
  if (!follow) await forget(file);
  return { pid, tree, file };
}

/** As a worker that died would leave it: the entry on disk, no activity of this process following it. */
async function forget(file: string): Promise<void> {
  const text = readFileSync(file, 'utf8');
  await removeLiveEntry(file);
  writeFileSync(file, text);
}

describe('the orphan sweep of a work directory', () => {
  let closed: Awaited<ReturnType<typeof orphanCandidate>>;
  let abandoned: Awaited<ReturnType<typeof orphanCandidate>>;
  let followedElsewhere: Awaited<ReturnType<typeof orphanCandidate>>;
  let followedHere: Awaited<ReturnType<typeof orphanCandidate>>;
  let unknown: Awaited<ReturnType<typeof orphanCandidate>>;
  let swept: Awaited<ReturnType<typeof sweepOrphans>>;

  beforeAll(async () => {
    closed = await orphanCandidate('run-closed', 'a');
    abandoned = await orphanCandidate('run-open', 'b');
    followedElsewhere = await orphanCandidate('run-open', 'c');
    followedHere = await orphanCandidate('run-closed', 'd', true);
    unknown = await orphanCandidate('run-unknown', 'e');
    const standings: Record<string, RunStanding> = {
      'run-closed': 'closed',
      'run-open': [
        { unitId: 'b', attempt: 1, host: 'here' },
        { unitId: 'c', attempt: 1, host: 'elsewhere' },
      ],
      'run-unknown': undefined,
    };
    swept = await sweepOrphans(workdir, (workflowId) => Promise.resolve(standings[workflowId]));
  }, 60_000);

  it('stops the agents of a closed run and of an abandoned attempt, removing tree and entry', () => {
    const byUnit = [...swept].sort((x, y) => x.entry.unitId.localeCompare(y.entry.unitId));
    expect(byUnit.map((s) => [s.entry.unitId, s.reason, s.stopped])).toEqual([
      ['a', 'run closed', true],
      ['b', 'attempt abandoned', true],
    ]);
    for (const orphan of [closed, abandoned]) {
      expect(alive(orphan.pid)).toBe(false);
      expect(existsSync(orphan.tree)).toBe(false);
      expect(existsSync(orphan.file)).toBe(false);
    }
  });

  it('leaves an attempt abandoned on another host, one followed here, and one of an unknown run', async () => {
    for (const kept of [followedElsewhere, followedHere, unknown]) {
      expect(alive(kept.pid)).toBe(true);
      expect(existsSync(kept.tree)).toBe(true);
    }
    const left = (await readLiveEntries(workdir)).map((e) => e.entry.unitId).sort();
    expect(left).toEqual(['c', 'd', 'e']);
  });
});
