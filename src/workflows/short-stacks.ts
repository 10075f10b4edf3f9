/**
 * Run once in the workflow sandbox before the SDK freezes its globals (a preloaded module of the
 * bundle: `src/worker/workflow-preload.ts`); workflow code itself cannot set it.
 *
 * The SDK's promise hook captures a stack for every promise that workflow code creates, for the
 * Web UI's stack-trace query, and maps each frame through the bundle's source map. Without
 * frames, a wide run's workflow tasks replayed in a third less time (docs/performance.md, "The
 * workflow thread"); four frames kept most of the cost. The price: the Web UI's Stack Trace tab
 * is empty, and a workflow failure carries its message without a stack.
 */
Error.stackTraceLimit = 0;

export {};
