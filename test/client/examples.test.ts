/** The plans under examples/ stay valid, and each agent example says how its evidence is made. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { main } from '../../src/client/main';
import { PROJECT_ROOT } from '../helpers/scenario-runner';
import { captureIo } from './helpers/capture-io';

const EXAMPLES = path.join(PROJECT_ROOT, 'examples');
const planDirs = readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'agents')
  .map((entry) => entry.name);

describe('examples', () => {
  it('has the demo and a plan for each of Claude Code, Codex and Aider', () => {
    expect(planDirs.sort()).toEqual(['aider', 'claude-code', 'codex', 'demo']);
  });

  it.each(planDirs)('%s/plan.yaml passes validate', async (dir) => {
    const output = captureIo(EXAMPLES);
    const code = await main(['validate', path.join(dir, 'plan.yaml')], output.io);
    expect({ code, stderr: output.stderr() }).toEqual({ code: 0, stderr: '' });
  });

  it('git-workspace.yaml passes validate in git mode and runs claude', async () => {
    const output = captureIo(EXAMPLES);
    const code = await main(['validate', 'git-workspace.yaml'], output.io);
    expect({ code, stderr: output.stderr() }).toEqual({ code: 0, stderr: '' });
    expect(output.stdout()).toContain('    docs: api, ui\n');
    const plan = readFileSync(path.join(EXAMPLES, 'git-workspace.yaml'), 'utf8');
    expect(plan).toMatch(/^workspace: git$/m);
    expect(plan).toMatch(/command:\n\s+- claude\n/);
    expect(plan).toContain('{artifact_dir}/');
  });

  it.each([
    ['claude-code', 'claude'],
    ['codex', 'codex'],
    ['aider', 'aider'],
  ])('%s runs %s and makes it write its evidence into {artifact_dir}', (dir, program) => {
    const plan = readFileSync(path.join(EXAMPLES, dir, 'plan.yaml'), 'utf8');
    expect(plan).toMatch(new RegExp(`command:\\n\\s+- ${program}\\n`));
    expect(plan).toContain('{artifact_dir}/');
    expect(readFileSync(path.join(EXAMPLES, dir, 'README.md'), 'utf8')).toMatch(/\*\*Evidence\.\*\*/);
  });
});
