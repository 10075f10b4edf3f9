/**
 * Prebuilds the workflow bundle at `dist/workflow-bundle.js` (the last step of `npm run build`), so
 * a worker can load it instead of bundling the workflow source with webpack at every start.
 * Run from `dist/scripts/`, it bundles the compiled `dist/workflows/index.js`.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { workflowPreloadModules } from '../worker/workflow-preload';

/** Where the bundle goes: `dist/workflow-bundle.js` when this runs from `dist/scripts/`. */
const WORKFLOW_BUNDLE_PATH = path.resolve(__dirname, '..', 'workflow-bundle.js');

async function main(): Promise<void> {
  let workflowsPath: string;
  try {
    workflowsPath = require.resolve('../workflows');
  } catch {
    throw new Error(
      `No workflows to bundle: ${path.resolve(__dirname, '..', 'workflows')}/index could not be resolved. ` +
        'Create src/workflows/index.ts, then run `npm run build` again.',
    );
  }
  const startedAt = Date.now();
  // webpack's module listing only matters when the bundle fails; its errors still come through.
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    preloadModules: workflowPreloadModules(),
    logger: new DefaultLogger('WARN'),
  });
  await writeFile(WORKFLOW_BUNDLE_PATH, code);
  const kib = Math.round(Buffer.byteLength(code) / 1024);
  process.stdout.write(
    `Workflow bundle: ${WORKFLOW_BUNDLE_PATH} (${kib} KiB, ${Date.now() - startedAt} ms)\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`build-workflow-bundle: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
