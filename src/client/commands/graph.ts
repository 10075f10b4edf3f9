/** `agent-fanout graph <plan>`: the dependency graph with its predicted waves, as Mermaid or DOT. */
import { predictWaves } from '../../plan/graph';
import { renderGraph, type GraphFormat } from '../../plan/graph-render';
import type { WorkspaceMode } from '../../plan/types';
import type { CommandIo, ExitCode } from '../io';
import { loadPlanFile } from '../plan-input/load-plan';
import { parseMaxWorkersOption } from '../plan-input/options';
import { printWarnings } from './shared';

export interface GraphArgs {
  readonly plan: string;
  readonly format: GraphFormat;
  /** As typed. */
  readonly maxWorkers?: string;
  /** `--workspace`, over the plan's key: a git plan's nodes say what each unit starts from. */
  readonly workspace?: WorkspaceMode;
}

/** The graph needs no agent command, so a Ralph planning artifact draws as it is. */
export async function run(args: GraphArgs, io: CommandIo): Promise<ExitCode> {
  const maxWorkers = parseMaxWorkersOption(args.maxWorkers);
  const loaded = await loadPlanFile(args.plan, { cwd: io.cwd, requireCommand: false });
  printWarnings(loaded.warnings, io);
  const plan = {
    ...loaded.plan,
    ...(maxWorkers === undefined ? {} : { maxWorkers }),
    ...(args.workspace === undefined ? {} : { workspace: args.workspace }),
  };
  io.stdout.write(renderGraph(plan, predictWaves(plan), args.format));
  return 0;
}
