import { CommanderError } from 'commander';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExitError, PlanRejected, reportError, UsageError } from '../../src/client/errors';
import { findTemporalCli, TemporalCliNotFoundError } from '../../src/dev/find-temporal-cli';
import { main } from '../../src/client/main';
import { captureIo } from './helpers/capture-io';

const directory = mkdtempSync(path.join(os.tmpdir(), 'fanout-cli-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function cli(...argv: string[]) {
  const output = captureIo(directory);
  const code = await main(argv, output.io);
  return { code, stdout: output.stdout(), stderr: output.stderr() };
}

describe('main', () => {
  it('lists validate, graph and schema in the top-level help', async () => {
    const { code, stdout } = await cli('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/\nExamples:\n {2}\$ npm start /);
    expect(stdout).toMatch(/validate \[options\] <plan>/);
    expect(stdout).toMatch(/graph \[options\] <plan>/);
    expect(stdout).toMatch(/\n {2}schema /);
  });

  it.each([
    'validate',
    'graph',
    'schema',
    'run',
    'watch',
    'logs',
    'dev',
    'demo',
    'worker',
    'status',
    'cancel',
    'retry',
  ])('shows an example in the help of %s', async (command) => {
    const { code, stdout } = await cli(command, '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`\\nExamples?:\\n {2}\\$ agent-fanout ${command}[ \\n]`));
  });

  it("shows the graph format's choices and default in its help", async () => {
    const { stdout } = await cli('graph', '--help');
    expect(stdout.replace(/\s+/g, ' ')).toContain('(choices: "mermaid", "dot", default: "mermaid")');
  });

  it('prints the version from package.json', async () => {
    const { code, stdout } = await cli('--version');
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    [['valdate', 'x'], /unknown command 'valdate'[\s\S]*Did you mean validate\?/],
    [['validate'], /missing required argument 'plan'/],
    [['graph', 'p.yaml', '--format', 'png'], /Allowed choices are mermaid, dot/],
    [['validate', 'a.json', 'b.json'], /too many arguments/],
  ])('exits 2 for the bad usage %j', async (argv, pattern) => {
    const { code, stderr } = await cli(...argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(pattern);
  });

  it('exits 2 and prints the rejection on stderr for a rejected plan', async () => {
    writeFileSync(path.join(directory, 'zero.json'), JSON.stringify({ max_workers: 0, work_units: [] }));
    const { code, stdout, stderr } = await cli('validate', 'zero.json');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'parallel preflight rejected plan: max_workers must be an integer from 1 to 256 (got 0)\n  at zero.json:1:16\n',
    );
  });

  it('adds the line, column and path of the problem when the SPEC text does not name the field', async () => {
    const unit = { unit_id: 'a', description: 'x', allowed_directories: ['src', '/abs'], command: ['x'] };
    writeFileSync(path.join(directory, 'abs.json'), JSON.stringify({ work_units: [unit] }));
    const { code, stderr } = await cli('validate', 'abs.json');
    expect(code).toBe(2);
    expect(stderr).toBe(
      'parallel preflight rejected plan: allowed_directories entries must be relative paths\n  at abs.json:1:78 (work_units[0].allowed_directories[1])\n',
    );
  });

  it('prints the plan JSON Schema', async () => {
    const { code, stdout } = await cli('schema');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ title: 'agent-fanout plan', required: ['work_units'] });
  });
});

describe('reportError', () => {
  const report = (error: unknown) => {
    const output = captureIo();
    return { code: reportError(error, output.io), stderr: output.stderr() };
  };

  it('exits 2 for a usage error, saying what went wrong', () => {
    expect(report(new UsageError('bad flag; use --x'))).toEqual({
      code: 2,
      stderr: 'agent-fanout: bad flag; use --x\n',
    });
  });

  it('exits 2 for a rejected plan and points at the field when the text does not', () => {
    expect(
      report(
        new PlanRejected(
          "unit_id contains invalid character ' '; allowed: [a-zA-Z0-9_-]",
          'field',
          'work_units[1].unit_id',
        ),
      ),
    ).toEqual({
      code: 2,
      stderr:
        "parallel preflight rejected plan: unit_id contains invalid character ' '; allowed: [a-zA-Z0-9_-]\n  (at work_units[1].unit_id)\n",
    });
    expect(
      report(new PlanRejected('work_units[0].timeout: bad', 'field', 'work_units[0].timeout')).stderr,
    ).toBe('parallel preflight rejected plan: work_units[0].timeout: bad\n');
  });

  it('exits with the code of an ExitError and prints nothing', () => {
    expect(report(new ExitError(1))).toEqual({ code: 1, stderr: '' });
  });

  it('exits 0 after help commander printed on request and 2 after its usage errors', () => {
    expect(report(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)')).code).toBe(0);
    expect(report(new CommanderError(1, 'commander.unknownOption', 'error: unknown option')).code).toBe(2);
  });

  it('calls anything else a bug, without a stack trace unless asked for', () => {
    const { code, stderr } = report(new TypeError('x is undefined'));
    expect(code).toBe(70);
    expect(stderr).toBe(
      'agent-fanout: internal error, this is a bug: TypeError: x is undefined\n' +
        'Please report it with the command you ran and the output of the same command with --debug.\n',
    );
  });

  it('adds the stack trace, and its cause, with --debug', () => {
    const output = captureIo();
    const error = new UsageError('bad flag; use --x', { cause: new Error('root cause') });
    expect(reportError(error, output.io, { debug: true })).toBe(2);
    expect(output.stderr()).toMatch(
      /^agent-fanout: bad flag; use --x\nUsageError: bad flag; use --x\n\s+at /,
    );
    expect(output.stderr()).toMatch(/\nCaused by:\nError: root cause\n\s+at /);
  });

  it('says how to get a Temporal CLI when a command that starts a server finds none', () => {
    const lookup = findTemporalCli({ env: { PATH: '' }, projectRoot: directory });
    if (lookup.found) throw new Error('expected no CLI in an empty project');
    const { code, stderr } = report(new TemporalCliNotFoundError(lookup));
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^agent-fanout: this command starts a local Temporal server\. No Temporal CLI found/,
    );
    expect(stderr).toContain('npm run provision');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
