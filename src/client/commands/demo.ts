/**
 * `agent-fanout demo` (what `npm start` runs): the example plan `examples/demo/plan.yaml` (a
 * diamond, then a wide layer, nine units) with the demo agent, in a fresh scratch repo under
 * `.agent/demo/repo`, on a dev server and worker started in this process, with the live display.
 * Nothing outside `.agent/` is touched.
 */
import { copyFileSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startRun } from '../fanout-client';
import { defaultWorkflowId } from '../run/ids';
import type { CommandIo, ExitCode } from '../io';
import { loadPlanFile } from '../plan-input/load-plan';
import { followOnTarget, withRunTarget } from '../run/open-run';
import { printWarnings } from './shared';

/** The project's root: this file is `src/client/commands/demo.ts` or `dist/client/commands/demo.js`. */
const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');
export const DEMO_PLAN = path.join(PROJECT_ROOT, 'examples', 'demo', 'plan.yaml');
const DEMO_AGENT = path.join(PROJECT_ROOT, 'examples', 'agents', 'demo-agent.js');
/** Under the working directory; `.agent/` is where agent-fanout keeps its state. */
const DEMO_REPO = path.join('.agent', 'demo', 'repo');

export interface DemoArgs {
  readonly json?: boolean;
}

export async function run(args: DemoArgs, io: CommandIo): Promise<ExitCode> {
  const loaded = await loadPlanFile(DEMO_PLAN, { cwd: io.cwd });
  printWarnings(loaded.warnings, io);
  const { plan } = loaded;
  const repo = makeScratchRepo(path.resolve(io.cwd, DEMO_REPO));

  return withRunTarget({ embedded: true }, io, async (target) => {
    const workflowId = defaultWorkflowId(plan.name, loaded.text, Date.now());
    const handle = await startRun(target.client, {
      plan,
      repo,
      taskQueue: target.connection.taskQueue,
      workflowId,
    });
    return followOnTarget(target, {
      handle,
      workflowId,
      io,
      json: args.json === true,
      headline: `demo ${workflowId}: ${plan.workUnits.length} units, max_workers ${plan.maxWorkers}, in ${repo}`,
      planName: plan.name,
      repo,
    });
  });
}

/** A new scratch repo with a README and the demo agent as `tools/demo-agent.js`; its real path. */
function makeScratchRepo(repo: string): string {
  rmSync(repo, { recursive: true, force: true });
  mkdirSync(path.join(repo, 'tools'), { recursive: true });
  writeFileSync(
    path.join(repo, 'README.md'),
    '# agent-fanout demo repo\n\nA scratch checkout made by `agent-fanout demo`; each demo run starts it anew.\n',
  );
  copyFileSync(DEMO_AGENT, path.join(repo, 'tools', 'demo-agent.js'));
  return realpathSync(repo);
}
