/**
 * What the Perl supervisor needs to confine an agent with Landlock (SPEC §8.1) and to write its
 * files without following links (§8.4), in the fields of its launch spec (bin/agent-supervisor.pl):
 * the syscall and open(2) flag numbers of this architecture (the supervisor loads no module that
 * knows them) and the paths the agent may write inside the repo.
 */

/** Linux syscall numbers the supervisor calls for confinement and reaping. */
export interface ContainmentSyscalls {
  readonly prctl: number;
  readonly landlockCreateRuleset: number;
  readonly landlockAddRule: number;
  readonly landlockRestrictSelf: number;
  /** For the rules' O_PATH descriptors, opened without a Perl handle. */
  readonly openat: number;
  readonly close: number;
}

/** The Landlock calls have one number on every architecture (they came after the unified table). */
const LANDLOCK = { landlockCreateRuleset: 444, landlockAddRule: 445, landlockRestrictSelf: 446 };

export const CONTAINMENT_SYSCALLS: Readonly<Partial<Record<string, ContainmentSyscalls>>> = {
  x64: { prctl: 157, openat: 257, close: 3, ...LANDLOCK },
  arm64: { prctl: 167, openat: 56, close: 57, ...LANDLOCK },
};

/** The spec's syscall-number field, in the order the supervisor reads it. */
export function syscallsField(
  syscalls: { readonly setsid: number; readonly gettimeofday: number } & ContainmentSyscalls,
): string {
  const { setsid, gettimeofday, prctl, landlockCreateRuleset, landlockAddRule, landlockRestrictSelf } =
    syscalls;
  const landlock = [landlockCreateRuleset, landlockAddRule, landlockRestrictSelf];
  return [setsid, gettimeofday, prctl, ...landlock, syscalls.openat, syscalls.close].join(' ');
}

/** open(2) flags; O_NOFOLLOW and O_DIRECTORY differ between x86-64 and arm64. */
const OPEN_FLAGS: Readonly<Partial<Record<string, Readonly<Record<string, number>>>>> = {
  x64: { O_NOFOLLOW: 0o400000, O_DIRECTORY: 0o200000 },
  arm64: { O_NOFOLLOW: 0o100000, O_DIRECTORY: 0o40000 },
};
const COMMON_OPEN_FLAGS = {
  O_WRONLY: 0o1,
  O_CREAT: 0o100,
  O_EXCL: 0o200,
  O_APPEND: 0o2000,
  O_CLOEXEC: 0o2000000,
  O_PATH: 0o10000000,
};

/** `NAME=value` words of this architecture's open flags, as the supervisor and launcher take them. */
export function openFlagsField(arch: string = process.arch): string {
  const specific = OPEN_FLAGS[arch];
  if (specific === undefined) throw new Error(`no open(2) flags known for ${arch}`);
  return Object.entries({ ...COMMON_OPEN_FLAGS, ...specific })
    .map(([name, value]) => `${name}=${value}`)
    .join(' ');
}

/** The launch spec's version: `/3` added the read-only roots (the supervisor still takes `/2`). */
export const SUPERVISOR_SPEC_VERSION = 'agent-fanout-supervisor/3';

/** A launch under Landlock. */
export interface LandlockLaunch {
  /** The absolute paths inside the repo the agent may write. */
  readonly writable: readonly string[];
  /**
   * Absolute real paths outside the repo that stay unwritable, beneath them and directly in the
   * directories that lead to them (a git run's source checkout, SPEC §9).
   */
  readonly readOnly: readonly string[];
}

/** The spec's confinement fields: `landlock` or `none`, the counted writable paths, the counted read-only roots. */
export function confinementFields(landlock: LandlockLaunch | undefined): string[] {
  if (landlock === undefined) return ['none', '0', '0'];
  const { writable, readOnly } = landlock;
  return ['landlock', String(writable.length), ...writable, String(readOnly.length), ...readOnly];
}
