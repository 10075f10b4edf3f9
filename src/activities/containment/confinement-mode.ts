/**
 * Which confinement an attempt runs under on this worker (SPEC §8.1): the plan's (or
 * `--confinement`'s) request, held against what this host can do. `landlock` needs the Perl
 * supervisor and a kernel with Landlock, probed once per worker process; without them it runs as
 * `audit` and says why. By default (the plan said nothing) a checkout beneath the worker's $HOME
 * is audited too, since agents create their settings files directly in $HOME, which Landlock
 * would refuse (it cannot allow a directory's other entries and exclude one: the repo's).
 */

import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import type { ConfinementMode } from '../../plan/types';
import type { SupervisorKind } from '../agent/agent-process';
import { PERL_SUPERVISOR_PATH, perlSupervisor } from '../agent/perl-supervisor';

export interface ConfinementRequest {
  /** As the plan or flag said; undefined is the default, `landlock`. */
  readonly requested: ConfinementMode | undefined;
  /** The checkout's real path. */
  readonly repo: string;
  /** The supervisor this worker is held to, if any. */
  readonly supervisor: SupervisorKind | undefined;
  /** The worker's $HOME. */
  readonly home: string | undefined;
}

export interface ConfinementDecision {
  readonly mode: ConfinementMode;
  /** The §8.1 warning when the mode is not the one asked for; null otherwise. */
  readonly warning: string | null;
}

export function landlockUnavailable(host: string, reason: string): string {
  return `confinement: landlock is not available on ${host} (${reason}); auditing instead`;
}

export function insideHome(repo: string): string {
  return (
    `confinement: ${repo} is inside $HOME, where agents save their settings; auditing instead ` +
    '(workspace: git confines: its working trees live outside $HOME)'
  );
}

export async function decideConfinement(request: ConfinementRequest): Promise<ConfinementDecision> {
  const { requested } = request;
  if (requested === 'off' || requested === 'audit') return { mode: requested, warning: null };
  const missing = await landlockMissing(request.supervisor);
  if (missing !== null) return { mode: 'audit', warning: landlockUnavailable(hostname(), missing) };
  if (requested === undefined && isInsideHome(request.repo, request.home))
    return { mode: 'audit', warning: insideHome(request.repo) };
  return { mode: 'landlock', warning: null };
}

/** Why this worker cannot confine, or null when it can. */
async function landlockMissing(supervisor: SupervisorKind | undefined): Promise<string | null> {
  if (supervisor === 'node') return 'this worker runs the Node supervisor, which cannot confine';
  return landlockProbe();
}

let probe: Promise<string | null> | undefined;

/** Asks the Perl supervisor for the kernel's Landlock ABI, once per process. */
export function landlockProbe(): Promise<string | null> {
  probe ??= probeLandlock();
  return probe;
}

async function probeLandlock(): Promise<string | null> {
  const perl = await perlSupervisor();
  if (perl === null) return 'no usable perl for the supervisor, which confines the agent';
  const syscall = String(perl.syscalls.landlockCreateRuleset);
  return new Promise((resolve) => {
    execFile(perl.perl, [PERL_SUPERVISOR_PATH, '--landlock-abi', syscall], { env: {} }, (error, stdout) => {
      const answer = stdout.trim();
      if (error !== null) resolve(`the Landlock probe failed: ${error.message}`);
      else if (/^\d+$/.test(answer)) resolve(null);
      else resolve(`the kernel refuses it: ${answer.replace(/^unavailable /, '')}`);
    });
  });
}

/** Whether `repo` (a real path) is `home` or lies beneath it. */
export function isInsideHome(repo: string, home: string | undefined): boolean {
  if (home === undefined || home === '' || !path.isAbsolute(home)) return false;
  const realHome = realOrResolved(home);
  if (realHome === '/') return false;
  return repo === realHome || repo.startsWith(`${realHome}/`);
}

function realOrResolved(file: string): string {
  try {
    return realpathSync.native(file);
  } catch {
    return path.resolve(file);
  }
}
