#!/usr/bin/env node
/**
 * A stand-in for a coding agent, for `agent-fanout demo` (`npm start`): plain Node, no
 * dependencies, no model. It reads its unit from the environment agent-fanout sets (SPEC §4.1),
 * prints a few progress lines over a couple of seconds, writes one file into its first allowed
 * directory (its edit area) and leaves a report in $FANOUT_ARTIFACT_DIR, which is the evidence
 * agent-fanout requires of a successful attempt.
 *
 * Flags:
 *   --steps N             progress lines to print after the first (default 3)
 *   --step-ms MS          pause after each line (default 400)
 *   --fail-first-attempt  exit 1 on attempt 1, to show a retry
 */
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');

function main(argv) {
  const options = parseArgs(argv);
  const unitId = process.env.FANOUT_UNIT_ID || 'unit';
  const attempt = Number(process.env.FANOUT_ATTEMPT || '1');
  const artifactDir = process.env.FANOUT_ARTIFACT_DIR;
  if (!artifactDir) {
    process.stderr.write('demo-agent: FANOUT_ARTIFACT_DIR is not set; run me through agent-fanout\n');
    return Promise.resolve(64);
  }
  const prompt = readPrompt(process.env.FANOUT_PROMPT_FILE);
  const editArea = JSON.parse(process.env.FANOUT_ALLOWED_DIRECTORIES || '[]')[0];
  const task = prompt.split('\n')[0] || unitId;

  const lines = [
    `[${unitId}] attempt ${attempt}: ${task}`,
    ...Array.from(
      { length: options.steps },
      (_, i) =>
        `[${unitId}] step ${i + 1}/${options.steps}: ${STEP_WORDS[i % STEP_WORDS.length]} ${editArea || '.'}`,
    ),
  ];
  return (async () => {
    for (const line of lines) {
      process.stdout.write(`${line}\n`);
      await sleep(options.stepMs);
    }
    if (options.failFirstAttempt && attempt === 1) {
      process.stdout.write(`[${unitId}] the tests do not pass yet; giving up on attempt 1\n`);
      return 1;
    }
    const edited = editArea === undefined ? undefined : writeEdit(editArea, unitId, task);
    const report = path.join(artifactDir, 'report.md');
    fs.writeFileSync(
      report,
      `# ${unitId}\n\n${task}\n\nattempt: ${attempt}\nedited: ${edited || '(nothing)'}\n`,
    );
    process.stdout.write(`[${unitId}] done: edited ${edited || 'nothing'}, report in artifacts/report.md\n`);
    return 0;
  })();
}

const STEP_WORDS = ['reading', 'planning changes in', 'editing', 'checking'];

function parseArgs(argv) {
  const options = { steps: 3, stepMs: 400, failFirstAttempt: false };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--steps') options.steps = positive(arg, argv[(i += 1)]);
    else if (arg === '--step-ms') options.stepMs = positive(arg, argv[(i += 1)]);
    else if (arg === '--fail-first-attempt') options.failFirstAttempt = true;
    else {
      process.stderr.write(`demo-agent: unknown flag ${arg}\n`);
      process.exit(64);
    }
  }
  return options;
}

function positive(flag, value) {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    process.stderr.write(`demo-agent: ${flag} needs a non-negative integer, got '${value}'\n`);
    process.exit(64);
  }
  return number;
}

function readPrompt(file) {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Writes `<edit area>/<unit>.md` (relative to the repo root, the agent's cwd); returns its path. */
function writeEdit(editArea, unitId, task) {
  const file = path.join(editArea, `${unitId}.md`);
  fs.mkdirSync(editArea, { recursive: true });
  fs.writeFileSync(file, `# ${task}\n\nWritten by demo-agent for unit ${unitId}.\n`);
  return file;
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
