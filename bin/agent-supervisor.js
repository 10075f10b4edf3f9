#!/usr/bin/env node
'use strict';
/**
 * The agent supervisor: a tiny process between a worker and one agent, so that an agent can
 * outlive the worker that started it and its exit status is still known (SPEC §4.4 adoption).
 *
 * The worker (src/activities/agent/node-supervisor.ts) starts this file with `node` on a host where no perl
 * runs bin/agent-supervisor.pl (the same contract for a tenth of the CPU), or for a launch the
 * Perl supervisor cannot take (a NUL in an argument), detached (a session and process group of its
 * own), stdout and stderr on the attempt log, and an IPC channel. It sends one launch message; this
 * process then:
 *
 * 1. starts the agent's argv as given (no shell), cwd and environment from the message, stdin at
 *    /dev/null, stdout and stderr inherited (the log), in a new session and process group that the
 *    agent leads, so the worker can stop the agent's whole group and never this supervisor with it;
 * 2. writes the attempt record (`logs/attempt-<n>.json`: the worker's template plus the agent's
 *    pid, process group and start time) atomically *before* telling the worker the pid, so a worker
 *    that dies at any moment after the start leaves a record a later worker can adopt from;
 * 3. answers `started` (or `spawn-error`, also written to the exit file) and closes the channel;
 *    from then on the worker may die without affecting anything here;
 * 4. waits for the agent and writes `logs/attempt-<n>.exit.json` (`{code, signal}`) atomically,
 *    then exits with the agent's status (the same code, or the same signal); `signal` is Node's
 *    name, or the number of a signal Node has no name for (real-time signals, 34..64 on Linux);
 * 5. as a last resort when no worker follows the agent any more, stops the agent's group once it
 *    runs past the deadline it was given (the unit's timeout plus a margin), SIGTERM then SIGKILL
 *    after the grace, and records `stoppedBy: "deadline"`.
 *
 * Containment (SPEC §8): this supervisor cannot confine an agent (a launch that asks for Landlock
 * fails to start; the worker audits instead), and it cannot be a child subreaper: what the agent
 * detaches is found by a per-launch variable in its environment (see LAUNCH_MARKER), counted in
 * the exit file as `strayProcesses` and stopped before this process exits.
 *
 * Node reports a death by a signal it has no name for as exit code 0. So a worker thread starts the
 * agent and stays blocked, leaving it unreaped, until this thread has read its wait status from
 * /proc/<pid>/stat (the zombie's exit_code); only then does Node reap it.
 *
 * It prints nothing itself; anything it writes to stdout or stderr would land in the agent's log.
 */
const { spawn } = require('node:child_process');
const { Buffer } = require('node:buffer');
const { closeSync, readdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { constants } = require('node:os');
const { setTimeout } = require('node:timers');
const { isMainThread, parentPort, Worker, workerData } = require('node:worker_threads');

/**
 * Node cannot make this process a child subreaper, so what the agent starts and detaches (setsid,
 * a double fork) is found by this variable in its environment, which its descendants inherit
 * (SPEC §8.3). A process that clears its environment escapes it; the Perl supervisor has no such gap.
 */
const LAUNCH_MARKER = 'AGENT_FANOUT_LAUNCH_ID';

/** PF_KTHREAD in the flags of /proc/<pid>/stat: a kernel thread, which has no environment. */
const PF_KTHREAD = 0x00200000;
/**
 * A process inside execve reads as having an empty environment for a moment, so one that looks
 * empty is looked at again this many times, this many ms apart (a process that cleared its
 * environment stays unfound: the gap named at LAUNCH_MARKER).
 */
const BLANK_RETRIES = 3;
const BLANK_RETRY_MS = 5;

/** O_CLOEXEC in the flags of /proc/self/fdinfo/<fd> (Linux; fs.constants does not name it). */
const O_CLOEXEC = 0o2000000;

/**
 * Closes what whoever started the worker left open without close-on-exec, which the worker passed
 * on to this process and this process would pass on to the agent. Node opens its own descriptors
 * close-on-exec; 0 to 2 are the log and /dev/null, 3 is the worker's IPC channel.
 */
function closeInheritedDescriptors() {
  let entries = [];
  try {
    entries = readdirSync('/proc/self/fd');
  } catch {
    return; // no /proc: nothing can be listed
  }
  for (const entry of entries) {
    const fd = Number(entry);
    if (!(fd > 3)) continue;
    let flags = null;
    try {
      flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'));
    } catch {
      continue; // the listing's own descriptor, closed by now
    }
    if (flags === null || (parseInt(flags[1], 8) & O_CLOEXEC) !== 0) continue;
    try {
      closeSync(fd);
    } catch {
      // closed meanwhile
    }
  }
}

/** Live processes (not zombies, not this one) whose environment carries this launch's marker. */
function markedProcesses(launchId) {
  const marker = Buffer.from(`${LAUNCH_MARKER}=${launchId}\0`);
  const found = [];
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    // no /proc: nothing can be found
  }
  /** 'marked', 'blank' (a live user process whose environment cannot be read yet), or 'other'. */
  const look = (entry) => {
    let environ = null;
    try {
      environ = readFileSync(`/proc/${entry}/environ`);
    } catch (error) {
      // ESRCH: no memory to read, for a moment inside execve, for good in a kernel thread (or gone).
      if (error.code !== 'ESRCH') return 'other'; // not ours to read
    }
    const readable = environ !== null && environ.length > 0;
    if (readable && environ.indexOf(marker) < 0) return 'other';
    const fields = statFields(entry);
    if (fields === null || fields[0] === 'Z' || fields[0] === 'X') return 'other';
    if (readable) return 'marked';
    return (Number(fields[6]) & PF_KTHREAD) === 0 ? 'blank' : 'other';
  };
  // The first round looks at every process, each later one only at those that read blank.
  let toLook = entries.filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid);
  for (let round = 0; round <= BLANK_RETRIES && toLook.length > 0; round++) {
    if (round > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, BLANK_RETRY_MS);
    const blank = [];
    for (const entry of toLook) {
      const seen = look(entry);
      if (seen === 'marked') found.push(Number(entry));
      else if (seen === 'blank') blank.push(entry);
    }
    toLook = blank;
  }
  return found;
}

/** SIGTERM, the grace, SIGKILL, again until no marked process is left (bounded); adds each to `seen`. */
async function sweepMarked(launchId, graceMs, seen) {
  const giveUpAt = Date.now() + graceMs + 30_000;
  for (let round = 0; Date.now() < giveUpAt; round++) {
    const left = markedProcesses(launchId);
    if (left.length === 0) return;
    for (const pid of left) {
      seen.add(pid);
      try {
        process.kill(pid, round === 0 ? 'SIGTERM' : 'SIGKILL');
      } catch {
        // gone already
      }
    }
    const waitUntil = Date.now() + (round === 0 ? graceMs : 1000);
    while (Date.now() < waitUntil && markedProcesses(launchId).length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Longest delay a Node timer accepts. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Writes JSON to `path` through a rename, so a reader never sees half a file. */
function writeJsonAtomic(path, value) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temporary, path);
}

/** The fields of /proc/<pid>/stat from field 3 (the state) on, or null. */
function statFields(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks after boot), or null. */
function startTicks(pid) {
  return statFields(pid)?.[19] ?? null;
}

/**
 * A zombie's wait status (field 52, exit_code), `undefined` while the process has not ended, or
 * null when /proc cannot tell (no /proc, a kernel before 3.5).
 */
function zombieStatus(pid) {
  const fields = statFields(pid);
  if (fields === null) return null;
  if (fields[0] !== 'Z') return undefined;
  const status = Number(fields[49]);
  return Number.isInteger(status) ? status : null;
}

/** `{code, signal}` of a wait status; `signal` is Node's name, else the number. */
function decodeStatus(status) {
  const number = status & 0x7f;
  if (number === 0) return { code: (status >> 8) & 0xff, signal: null };
  const name = Object.keys(constants.signals).find((key) => constants.signals[key] === number);
  return { code: null, signal: name ?? number };
}

/** Sends one message if the worker still listens; a worker that died meanwhile is not an error. */
function tell(message) {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    try {
      process.send(message, () => resolve());
    } catch {
      resolve();
    }
  });
}

function hangUp() {
  if (process.connected) process.disconnect();
}

function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone already
  }
}

async function startFailed(spec, error) {
  const spawnError = { code: typeof error.code === 'string' ? error.code : null, message: error.message };
  try {
    writeJsonAtomic(spec.exitPath, { version: 1, launchId: spec.launchId, spawnError });
  } catch {
    // the worker hears about it below; the file only matters to a later worker
  }
  await tell({ type: 'spawn-error', error: spawnError });
  hangUp();
  process.exit(1);
}

/** Records the agent, then tells the worker; kills the agent if it cannot be recorded. */
async function started(spec, pid) {
  const processStartTicks = startTicks(pid);
  try {
    writeJsonAtomic(spec.recordPath, {
      ...spec.record,
      pid,
      pgid: pid,
      processStartTicks,
      supervisorPid: process.pid,
      supervisorStartTicks: startTicks(process.pid),
    });
  } catch (error) {
    // An agent nobody could find again must not run: stop it and let the worker retry.
    signalGroup(pid, 'SIGKILL');
    await tell({ type: 'launch-failed', message: `could not write ${spec.recordPath}: ${error.message}` });
    hangUp();
    process.exit(1);
  }
  await tell({ type: 'started', pid, processStartTicks });
  hangUp();
}

/** Exits with the agent's status: the same code, or death by the same signal. */
function exitLike(code, signal) {
  if (signal === null) process.exit(code ?? 1);
  try {
    process.kill(process.pid, signal);
  } catch {
    // fall through
  }
  // A signal this process ignores (Node ignores SIGPIPE): the shell's convention instead.
  const number = typeof signal === 'number' ? signal : (constants.signals[signal] ?? 0);
  setTimeout(() => process.exit(128 + number), 1000);
}

/** The worker thread: starts the agent and tells the main thread, which releases it when it may. */
function holdAgent({ spec, release }) {
  const [binary, ...args] = spec.argv;
  const failed = (error) =>
    parentPort.postMessage({ type: 'spawn-error', error: { code: error.code, message: error.message } });
  let child;
  try {
    const env = { ...spec.env, [LAUNCH_MARKER]: spec.launchId };
    child = spawn(binary, args, { cwd: spec.cwd, env, detached: true, stdio: ['ignore', 1, 2] });
  } catch (error) {
    failed(error); // e.g. a NUL byte in an argument
    return;
  }
  if (child.pid === undefined) {
    child.once('error', failed);
    return;
  }
  child.once('exit', (code, signal) => parentPort.postMessage({ type: 'exit', code, signal }));
  parentPort.postMessage({ type: 'spawned', pid: child.pid });
  Atomics.wait(release, 0, 0); // Node reaps the agent only after this returns
}

function launch(spec) {
  if (spec.confinement === 'landlock') {
    // Only the Perl supervisor confines; an agent asked to be confined must never run unconfined.
    const message = 'landlock: the Node supervisor cannot confine an agent; the agent was not started';
    void startFailed(spec, { code: null, message });
    return;
  }
  const release = new Int32Array(new SharedArrayBuffer(4));
  const holder = new Worker(module.filename, { workerData: { spec, release } });
  holder.once('error', () => process.exit(1));
  let pid = null;
  let status = null; // the wait status read from /proc, when it could be
  let stoppedBy = null;
  let killScheduled = null;
  const watchForEnd = () => {
    if (pid === null) return;
    const found = zombieStatus(pid);
    if (found === undefined) return;
    status = found;
    process.off('SIGCHLD', watchForEnd);
    Atomics.store(release, 0, 1);
    Atomics.notify(release, 0);
  };
  process.on('SIGCHLD', watchForEnd);
  holder.on('message', (message) => {
    if (message.type === 'spawn-error') void startFailed(spec, message.error);
    else if (message.type === 'spawned') {
      pid = message.pid;
      void started(spec, pid);
      const delay = Math.min(MAX_TIMER_MS, Math.max(0, spec.deadlineMs - Date.now()));
      setTimeout(() => {
        stoppedBy = 'deadline';
        signalGroup(pid, 'SIGTERM');
        killScheduled = new Promise((resolve) => {
          setTimeout(() => {
            signalGroup(pid, 'SIGKILL');
            resolve();
          }, spec.graceMs);
        });
      }, delay).unref();
      watchForEnd(); // it may have ended already
    } else if (message.type === 'exit') {
      const { code, signal } = status === null ? message : decodeStatus(status);
      const strays = new Set(markedProcesses(spec.launchId));
      const end = {
        version: 1,
        launchId: spec.launchId,
        pid,
        code,
        signal,
        stoppedBy,
        endedAtMs: Date.now(),
      };
      const writeEnd = () => {
        try {
          writeJsonAtomic(spec.exitPath, { ...end, strayProcesses: strays.size });
        } catch {
          // a worker still following learns the status from this process's own exit below
        }
      };
      writeEnd();
      const countedAtEnd = strays.size;
      // A process caught in execve shows an empty environment for a moment, so the count above can
      // miss one the sweep then finds: the worker reads the file once this process is reaped.
      void Promise.resolve(killScheduled)
        .then(() => sweepMarked(spec.launchId, spec.graceMs, strays))
        .then(() => (strays.size > countedAtEnd ? writeEnd() : undefined))
        .then(() => exitLike(code, signal));
    }
  });
}

if (isMainThread) {
  closeInheritedDescriptors();
  let launched = false;
  process.once('message', (spec) => {
    launched = true;
    launch(spec);
  });
  // A worker that died before it sent the launch message: there is nothing to do.
  process.once('disconnect', () => {
    if (!launched) process.exit(0);
  });
} else {
  holdAgent(workerData);
}
