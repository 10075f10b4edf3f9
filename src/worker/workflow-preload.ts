/**
 * Modules the reusable workflow sandbox loads once, before any workflow and before the SDK freezes
 * its globals (`bundlerOptions.preloadModules`). Both the prebuilt bundle and a worker that bundles
 * at start-up use this list.
 */
export function workflowPreloadModules(): string[] {
  return [require.resolve('../workflows/short-stacks')];
}
