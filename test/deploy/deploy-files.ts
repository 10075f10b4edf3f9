/**
 * Readers for the deployment files (docker-compose.yml, .env.example, Dockerfile, .dockerignore)
 * and the pinned checkers from scripts/provision-deploy-lint.sh, shared by the tests in this
 * folder. No Docker engine is needed: the files are parsed here, and `docker-compose config` only
 * parses too.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import picomatch from 'picomatch';

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

export function readProjectFile(relative: string): string {
  return readFileSync(path.join(PROJECT_ROOT, relative), 'utf8');
}

// --- .env files and ${VAR} interpolation (Compose spec "Interpolation") --------------------------

/** `KEY=value` lines of a .env file; comments and blank lines skipped, values taken literally. */
export function parseEnvFile(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match === null) throw new Error(`.env line ${index + 1} is not KEY=value: ${raw}`);
    values.set(match[1]!, match[2]!);
  }
  return values;
}

/** One `${...}` or `$NAME` reference in a compose value. */
export interface VariableUse {
  readonly name: string;
  /** `:-` and `-` give a default; `:?` and `?` make the variable required. */
  readonly operator?: ':-' | '-' | ':?' | '?';
  /** The default, or the error message of a required variable. */
  readonly operand?: string;
}

const REFERENCE = /\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:-|-|:\?|\?)([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

export function variableUses(value: string): VariableUse[] {
  const uses: VariableUse[] = [];
  for (const match of value.matchAll(REFERENCE)) {
    if (match[0] === '$$') continue;
    const name = match[1] ?? match[4]!;
    const operator = match[2] as VariableUse['operator'];
    uses.push(operator === undefined ? { name } : { name, operator, operand: match[3] ?? '' });
  }
  return uses;
}

/** Resolves every reference as Compose does; throws for a required variable that has no value. */
export function interpolate(value: string, env: ReadonlyMap<string, string>): string {
  return value.replace(
    REFERENCE,
    (whole, braced?: string, operator?: string, operand?: string, bare?: string) => {
      if (whole === '$$') return '$';
      const name = braced ?? bare!;
      const current = env.get(name);
      const unsetOrEmpty = current === undefined || current === '';
      switch (operator) {
        case ':-':
          return unsetOrEmpty ? operand! : current;
        case '-':
          return current ?? operand!;
        case ':?':
        case '?':
          if (operator === ':?' ? unsetOrEmpty : current === undefined)
            throw new Error(`${name}: ${operand}`);
          return current!;
        default:
          return current ?? '';
      }
    },
  );
}

/** Every string in a parsed YAML document, with its path, for variable checks. */
export function stringLeaves(node: unknown, at = ''): { path: string; value: string }[] {
  if (typeof node === 'string') return [{ path: at, value: node }];
  if (Array.isArray(node)) return node.flatMap((item, index) => stringLeaves(item, `${at}[${index}]`));
  if (node !== null && typeof node === 'object') {
    return Object.entries(node).flatMap(([key, item]) =>
      stringLeaves(item, at === '' ? key : `${at}.${key}`),
    );
  }
  return [];
}

/** A Compose duration such as `30s` or `1m30s`, in milliseconds. */
export function durationMs(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) {
    throw new Error(`not a Compose duration: '${text}'`);
  }
  const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
  return parts.reduce((sum, part) => sum + Number(part[1]) * unitMs[part[2] as keyof typeof unitMs], 0);
}

/** `name[:tag][@digest]` of an image reference; a registry port is not taken for a tag. */
export function imageTag(reference: string): string | undefined {
  const withoutDigest = reference.split('@')[0]!;
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  return colon === -1 ? undefined : lastSegment.slice(colon + 1);
}

// --- Dockerfile --------------------------------------------------------------------------------

export interface Instruction {
  /** Upper-cased, e.g. `FROM`. */
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined with a space. */
  readonly args: string;
  /** 1-based line of the keyword. */
  readonly line: number;
}

export interface Stage {
  readonly image: string;
  readonly name?: string;
  readonly instructions: readonly Instruction[];
}

/**
 * Instructions in file order. Follows the Dockerfile reference: `#` starts a comment only at the
 * start of a line (also between continuation lines), a trailing `\` continues the instruction.
 * Heredocs are not supported, and the Dockerfile here has none.
 */
export function parseDockerfile(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending: { keyword: string; parts: string[]; line: number } | undefined;
  for (const [index, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    // Comments, and blank lines (which Docker also drops inside a continued instruction).
    if (line.startsWith('#') || line === '') continue;
    const continues = line.endsWith('\\');
    const content = continues ? line.slice(0, -1).trim() : line;
    if (pending === undefined) {
      const match = /^(\S+)\s*(.*)$/.exec(content);
      if (match === null) continue;
      if (/<<-?["']?\w/.test(match[2]!))
        throw new Error(`Dockerfile line ${index + 1}: heredocs are not supported here`);
      pending = { keyword: match[1]!.toUpperCase(), parts: [match[2]!], line: index + 1 };
    } else {
      pending.parts.push(content);
    }
    if (!continues) {
      instructions.push({
        keyword: pending.keyword,
        args: pending.parts.join(' ').trim(),
        line: pending.line,
      });
      pending = undefined;
    }
  }
  if (pending !== undefined)
    throw new Error(`Dockerfile ends inside the instruction of line ${pending.line}`);
  return instructions;
}

/** Splits instructions into build stages at each FROM (`FROM [--platform=..] image [AS name]`). */
export function stages(instructions: readonly Instruction[]): Stage[] {
  const result: { image: string; name?: string; instructions: Instruction[] }[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--'));
      const as = words.findIndex((word) => word.toUpperCase() === 'AS');
      result.push({ image: words[0]!, ...(as === -1 ? {} : { name: words[as + 1]! }), instructions: [] });
    } else if (result.length > 0) {
      result[result.length - 1]!.instructions.push(instruction);
    }
  }
  return result;
}

/** The JSON (exec) form of ENTRYPOINT or CMD, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(args);
  return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
}

/** Whether .dockerignore keeps `relative` (or a folder above it) out of the build context. */
export function isDockerIgnored(relative: string, dockerignore: string): boolean {
  const rules = dockerignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const negated = line.startsWith('!');
      const pattern = path.posix.normalize((negated ? line.slice(1) : line).replace(/^\/+/, ''));
      return { negated, matches: picomatch(pattern, { dot: true }) };
    });
  const segments = path.posix.normalize(relative).split('/');
  const candidates = segments.map((_, index) => segments.slice(0, index + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((candidate) => rule.matches(candidate))) ignored = !rule.negated;
  }
  return ignored;
}

// --- The pinned checkers -----------------------------------------------------------------------

export type DeployTool = 'hadolint' | 'shellcheck' | 'docker-compose';

/** CI installs the checkers (.ci/run), so there a missing one is a failure, not a skip. */
const TOOLS_REQUIRED = process.env.CI === 'true';
const TOOLS_BIN = path.join(PROJECT_ROOT, '.tools', 'deploy-lint', 'bin');

/**
 * `it` for a check that runs one of the pinned checkers. Without the checker it is skipped, with
 * a title that says how to get it, except in CI, where it fails and says what CI must run.
 */
export function itWithTool(tool: DeployTool, title: string, check: (executable: string) => void): void {
  const executable = path.join(TOOLS_BIN, tool);
  if (existsSync(executable)) {
    it(title, () => check(executable));
  } else if (TOOLS_REQUIRED) {
    it(title, () => {
      throw new Error(
        `${tool} is not in .tools/deploy-lint/bin. CI must run scripts/provision-deploy-lint.sh before the tests (.ci/run does).`,
      );
    });
  } else {
    it.skip(`${title} (needs ${tool}: run scripts/provision-deploy-lint.sh)`, () => undefined);
  }
}

/** Runs a checker from the project root with a clean environment: no inherited variables. */
export function runTool(
  executable: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): SpawnSyncReturns<string> {
  return spawnSync(executable, args, {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: '/usr/bin:/bin', HOME: os.tmpdir(), ...env },
  });
}
