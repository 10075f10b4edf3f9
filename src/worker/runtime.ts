/**
 * The SDK runtime of a worker process: its log level and, when asked, a Prometheus endpoint that
 * serves the SDK's own metrics and the project's (`src/activities/metrics.ts`) at `/metrics`.
 * Must run before the process makes its first Temporal connection.
 */
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

export interface WorkerRuntimeOptions {
  /** Serve metrics on this port (all interfaces). @default no endpoint */
  readonly metricsPort?: number;
  /** @default `WARN` */
  readonly logLevel?: LogLevel;
}

export function installWorkerRuntime(options: WorkerRuntimeOptions): void {
  Runtime.install({
    logger: new DefaultLogger(options.logLevel ?? 'WARN'),
    ...(options.metricsPort === undefined
      ? {}
      : { telemetryOptions: { metrics: { prometheus: { bindAddress: `0.0.0.0:${options.metricsPort}` } } } }),
  });
}
