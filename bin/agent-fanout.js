#!/usr/bin/env node
'use strict';
// The only place that exits the process: runs the compiled CLI and exits with its code.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const EXIT_BUG = 70;
const entry = join(__dirname, '..', 'dist', 'client', 'main.js');

function exit(code) {
  // Let pending output reach a pipe before the process ends.
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

if (!existsSync(entry)) {
  process.stderr.write('agent-fanout: dist/client/main.js is missing; run `npm run build` first\n');
  process.exit(EXIT_BUG);
}

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const io = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  // Created only when a command asks (the Ctrl-C question), so stdin is never touched otherwise.
  get stdin() {
    return process.stdin;
  },
};
require(entry)
  .main(process.argv.slice(2), io)
  .then(exit, (error) => {
    process.stderr.write(
      `agent-fanout: internal error, this is a bug. Please report it with the command you ran.\n${
        (error && error.stack) || String(error)
      }\n`,
    );
    exit(EXIT_BUG);
  });
