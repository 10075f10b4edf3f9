/**
 * Reads a plan file and validates it. Every way this can fail is a one-line message: file
 * problems are usage errors, content problems are plan rejections. A file over the size limit
 * is refused from its size alone, without being read.
 */
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { resolvedPathProblem } from '../../activities/containment/resolved-paths';
import { formatPath } from '../../plan/plan-issues';
import { reviewPlanText, type PlanProblem } from '../../plan/review';
import type { Plan } from '../../plan/types';
import { PlanRejected, UsageError } from '../errors';
import { formatProblemReport, type ProblemReport } from '../output/plan-problems';

export const MAX_PLAN_BYTES = 10 * 1024 * 1024;

export interface LoadPlanOptions {
  /** Where a relative plan path starts from. */
  readonly cwd: string;
  /** `--agent-command` (SPEC §7.9). */
  readonly agentCommand?: readonly string[];
  /** False when no agent will be started (drawing the graph). */
  readonly requireCommand?: boolean;
  /** Real path of the checkout: allowed directories are also judged as they resolve there (SPEC §8.5). */
  readonly repo?: string;
}

export interface LoadedPlan {
  /** The path as given on the command line. */
  readonly path: string;
  readonly absolutePath: string;
  /** The file's text, e.g. for a workflow id that changes with the plan. */
  readonly text: string;
  readonly plan: Plan;
  /** One line each, for stderr. */
  readonly warnings: readonly string[];
}

export async function loadPlanFile(path: string, options: LoadPlanOptions): Promise<LoadedPlan> {
  const absolutePath = resolve(options.cwd, path);
  const text = await readPlanText(path, absolutePath);
  const review = reviewPlanText(text, {
    fileName: path,
    agentCommand: options.agentCommand,
    requireCommand: options.requireCommand,
  });
  if (!review.ok) throw planRejected({ file: path, ...review });
  if (options.repo !== undefined) {
    const problem = await resolvedPathProblem(options.repo, review.plan);
    if (problem !== undefined) throw new PlanRejected(problem, 'rejected');
  }
  return { path, absolutePath, text, plan: review.plan, warnings: review.warnings };
}

/** The first problem is the rejection a run records; the error carries all of them. */
function planRejected(report: ProblemReport): PlanRejected {
  const first: PlanProblem | undefined = report.problems[0];
  if (first === undefined) throw new Error('a refused plan has at least one problem');
  const location = first.path.length > 0 ? formatPath(first.path) : undefined;
  return new PlanRejected(first.message, first.kind, location, { report, text: formatProblemReport(report) });
}

async function readPlanText(path: string, absolutePath: string): Promise<string> {
  const size = await regularFileSize(path, absolutePath);
  if (size > MAX_PLAN_BYTES) throw tooLarge(path, size);
  const bytes = await readFile(absolutePath).catch((error: unknown) => {
    throw unreadable(path, error);
  });
  if (bytes.length > MAX_PLAN_BYTES) throw tooLarge(path, bytes.length);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new PlanRejected(`${path} is not UTF-8 text; save the plan as UTF-8`, 'syntax');
  }
}

async function regularFileSize(path: string, absolutePath: string): Promise<number> {
  const stats = await stat(absolutePath).catch((error: unknown) => {
    throw unreadable(path, error);
  });
  if (stats.isDirectory()) {
    throw new UsageError(`${path} is a directory, not a plan file; pass the path of a .json or .yaml plan`);
  }
  if (!stats.isFile()) {
    throw new UsageError(`${path} is not a regular file; save the plan to a file and pass its path`);
  }
  return stats.size;
}

function tooLarge(path: string, bytes: number): UsageError {
  const megabytes = (bytes / (1024 * 1024)).toFixed(1);
  return new UsageError(
    `plan file ${path} is ${megabytes} MB, over the ${MAX_PLAN_BYTES / (1024 * 1024)} MB limit for a plan; check that this is the plan file`,
  );
}

function unreadable(path: string, error: unknown): UsageError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new UsageError(
      `plan file ${path} does not exist; check the path (relative paths start at the current directory)`,
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new UsageError(`cannot read plan file ${path}: permission denied; check its permissions`);
  }
  return new UsageError(`cannot read plan file ${path}: ${code ?? String(error)}`);
}
