/**
 * `agent-fanout demo` (what `npm start` runs): the example plan `examples/demo/plan.yaml` (a
 * diamond, then a wide layer, nine units) with the demo agent, in a fresh scratch repo under
 * `.agent/demo/repo`, on a dev server and worker started in this process, with the live display.
 * Nothing outside `.agent/` is touched.
 */
import { copyFileSync, mkdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { git } from '../../git/run-git';
import type { WorkspaceMode } from '../../plan/types';
import { startRun } from '../fanout-client';
import { resolveGitRun } from '../git-mode/git-run-settings';
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
  /** `--workspace git`: the scratch repo gets a first commit and each unit a working tree. */
  readonly workspace?: WorkspaceMode;
}

export async function run(args: DemoArgs, io: CommandIo): Promise<ExitCode> {
  const loaded = await loadPlanFile(DEMO_PLAN, { cwd: io.cwd });
  printWarnings(loaded.warnings, io);
  const plan = args.workspace === undefined ? loaded.plan : { ...loaded.plan, workspace: args.workspace };
  const repo = makeScratchRepo(path.resolve(io.cwd, DEMO_REPO));
  const workflowId = defaultWorkflowId(plan.name, loaded.text, Date.now());
  const gitRun =
    plan.workspace === 'git'
      ? await commitScratchRepo(repo).then(() =>
          resolveGitRun({
            repo,
            planName: plan.name,
            workflowId,
            idSource: 'the workflow id',
            keepFailed: false,
            now: new Date(),
          }),
        )
      : undefined;

  return withRunTarget({ embedded: true }, io, async (target) => {
    const handle = await startRun(target.client, {
      plan,
      repo,
      taskQueue: target.connection.taskQueue,
      workflowId,
      ...(gitRun === undefined ? {} : { git: gitRun.git }),
    });
    return followOnTarget(target, {
      handle,
      workflowId,
      io,
      json: args.json === true,
      headline: `demo ${workflowId}: ${plan.workUnits.length} units, max_workers ${plan.maxWorkers}, in ${repo}${gitRun === undefined ? '' : `, ending on branch ${gitRun.git.branch}`}`,
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

/** Git mode starts from a commit: the scratch repo's files become its first one. */
async function commitScratchRepo(repo: string): Promise<void> {
  const identity = {
    GIT_AUTHOR_NAME: 'agent-fanout demo',
    GIT_AUTHOR_EMAIL: 'agent-fanout@localhost',
    GIT_COMMITTER_NAME: 'agent-fanout demo',
    GIT_COMMITTER_EMAIL: 'agent-fanout@localhost',
  };
  await git(['init', '--quiet', '--initial-branch=main'], { cwd: repo });
  await git(['add', '--all'], { cwd: repo });
  await git(
    [
      '-c',
      'commit.gpgsign=false',
      'commit',
      '--quiet',
      '--no-verify',
      '--message',
      'agent-fanout demo: the starting point',
    ],
    {
      cwd: repo,
      env: identity,
    },
  );
}
