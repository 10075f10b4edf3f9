#!/usr/bin/env node
/**
 * Builds the pinned Temporal Server and its SQL tool from source, for `npm run test:cluster`
 * (test/cluster: a real cluster on PostgreSQL, each service a process of its own).
 *
 * Temporal publishes the server as container images and release archives; neither can be fetched
 * here, but its Go module can, from the Go module proxy. `go install` builds both programs into
 * `.tools/temporal-server-<version>/` as `temporal-server` and `temporal-sql-tool` (the names the
 * images use), once: a later call finds them and builds nothing. The server module needs a newer
 * Go than the machine may have, so the build runs with `GOTOOLCHAIN=<pinned toolchain>`, which the
 * go command fetches from the same proxy.
 *
 * Versions are pinned in package.json (`config.temporalServerVersion`,
 * `config.temporalServerGoToolchain`). Exit 0 with the binaries there, 1 otherwise, with a message
 * that says what to do. Plain Node, so it runs before `npm run build`.
 */
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const PROJECT_ROOT = path.resolve(__dirname, '..');
const SERVER_PACKAGE = 'go.temporal.io/server/cmd/server';
const SQL_TOOL_PACKAGE = 'go.temporal.io/server/cmd/tools/sql';
/** A cold build took 5 to 9 minutes on 2 cores; a loaded machine may need more. */
const BUILD_TIMEOUT_MS = 40 * 60 * 1000;
/** What `go` prints when the module proxy (or the toolchain on it) cannot be reached. */
const PROXY_TROUBLE =
  /GOPROXY=off|module lookup disabled|toolchain not available|dial tcp|no such host|connection refused|i\/o timeout|TLS handshake|proxyconnect|403 Forbidden|404 Not Found/;

const say = (line) => process.stdout.write(`provision-cluster: ${line}\n`);

function main() {
  const { version, toolchain } = pinnedVersions();
  const target = toolsDir(version);
  const server = path.join(target, 'temporal-server');
  const sqlTool = path.join(target, 'temporal-sql-tool');

  if (isExecutableFile(server) && isExecutableFile(sqlTool) && serverVersion(server) === version) {
    say(`using ${server} and ${sqlTool} (Temporal Server ${version}, built earlier)`);
    return 0;
  }

  const go = goVersion();
  const goMinor = go === undefined ? undefined : Number((/^go1\.(\d+)/.exec(go) || [])[1]);
  if (go === undefined || !(goMinor >= 21)) {
    say(
      `${go === undefined ? 'there is no `go` command on PATH' : `the \`go\` on PATH is ${go}`}. Building ` +
        `Temporal Server needs Go 1.21 or newer (it then fetches ${toolchain} itself, the version the ` +
        'server module requires). Install one (https://go.dev/doc/install), then run `npm run provision:cluster` again.',
    );
    return 1;
  }

  say(
    `building Temporal Server ${version} and its SQL tool from the Go module proxy with ${toolchain} ` +
      `(found ${go}) into ${path.relative(PROJECT_ROOT, target)}/.`,
  );
  say(
    'It needs about 10 minutes of CPU (5 to 9 minutes on 2 idle cores, 15 to 18 on a busy machine), downloads about 290 MiB (the Go toolchain and modules), ' +
      'and needs about 3.3 GiB of disk and 2 GiB of memory while it builds. It is done once; later calls reuse it.',
  );
  const started = Date.now();
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = fs.mkdtempSync(path.join(path.dirname(target), `.building-${version}-`));
  try {
    const build = spawnSync(
      'go',
      ['install', `${SERVER_PACKAGE}@v${version}`, `${SQL_TOOL_PACKAGE}@v${version}`],
      {
        cwd: staging,
        stdio: ['ignore', 'inherit', 'pipe'],
        timeout: BUILD_TIMEOUT_MS,
        env: { ...process.env, GOTOOLCHAIN: toolchain, GOBIN: staging, GOFLAGS: '-buildvcs=false' },
      },
    );
    const stderr = build.stderr ? build.stderr.toString() : '';
    process.stderr.write(stderr);
    if (build.status !== 0) {
      say(buildFailure(build, stderr, toolchain));
      return 1;
    }
    fs.mkdirSync(target, { recursive: true });
    // Moved into place only once both are built, so a half-finished build is never taken for one.
    fs.renameSync(path.join(staging, 'sql'), sqlTool);
    fs.renameSync(path.join(staging, 'server'), server);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  say(`built ${server} (${serverVersion(server)}) and ${sqlTool} in ${minutes} min`);
  return 0;
}

/** What went wrong with `go install`, and what to do about it. */
function buildFailure(build, stderr, toolchain) {
  if (build.error && build.error.code === 'ETIMEDOUT') {
    return `the build did not finish within ${BUILD_TIMEOUT_MS / 60000} minutes; the machine may be overloaded. Run \`npm run provision:cluster\` again (what was built is cached).`;
  }
  if (PROXY_TROUBLE.test(stderr)) {
    return (
      `could not download from the Go module proxy (GOPROXY=${process.env.GOPROXY || 'the default'}): ` +
      `the build needs it for ${toolchain} and the server's modules. Make it reachable (or set GOPROXY ` +
      'to a mirror), then run `npm run provision:cluster` again.'
    );
  }
  const why = build.error ? build.error.message : `exit code ${build.status}`;
  return `\`go install\` failed (${why}); its messages are above. Fix that, then run \`npm run provision:cluster\` again.`;
}

/** The pinned server version and Go toolchain, from package.json. */
function pinnedVersions() {
  const manifest = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
  const config = manifest.config || {};
  if (
    typeof config.temporalServerVersion !== 'string' ||
    typeof config.temporalServerGoToolchain !== 'string'
  ) {
    throw new Error('package.json needs config.temporalServerVersion and config.temporalServerGoToolchain');
  }
  return { version: config.temporalServerVersion, toolchain: config.temporalServerGoToolchain };
}

function toolsDir(version) {
  return path.join(PROJECT_ROOT, '.tools', `temporal-server-${version}`);
}

/** `go version`'s answer, or undefined without a go command. */
function goVersion() {
  const run = spawnSync('go', ['version'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, GOTOOLCHAIN: 'local' },
  });
  if (run.error || run.status !== 0) return undefined;
  return run.stdout.trim().replace(/^go version /, '');
}

/** The version `temporal-server --version` prints (`temporal version 1.32.2`), or undefined. */
function serverVersion(server) {
  const run = spawnSync(server, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  const match = /version (\S+)/.exec(run.stdout || '');
  return match ? match[1] : undefined;
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

module.exports = { toolsDir, pinnedVersions };

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (error) {
    say(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
