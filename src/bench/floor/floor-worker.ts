/**
 * `node dist/bench/floor/floor-worker.js <address> <task queue> <max concurrent>`: a worker for
 * the floor's workflows, with the product worker's settings that shape latency (eager starts,
 * heartbeat throttle) and nothing of its activities. Prints FLOOR_READY once its worker exists,
 * just before it starts polling.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { floorActivities } from './floor-activities';
import { eagerAgentStartsPerWorkflowTask, HEARTBEAT_THROTTLE } from '../../worker/worker-options';

export const FLOOR_READY = 'floor worker polling';

async function main(address: string, taskQueue: string, maxConcurrent: number): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address });
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: require.resolve('./floor-workflows'),
    activities: floorActivities,
    maxConcurrentActivityTaskExecutions: maxConcurrent,
    maxEagerActivityReservationsPerWorkflowTask: eagerAgentStartsPerWorkflowTask({
      maxConcurrentAgents: maxConcurrent,
    }),
    maxHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
    defaultHeartbeatThrottleInterval: HEARTBEAT_THROTTLE,
  });
  const stop = (): void => worker.shutdown();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`${FLOOR_READY}\n`);
  await worker.run();
  await connection.close();
}

if (require.main === module) {
  const [address, taskQueue, max] = process.argv.slice(2);
  if (address === undefined || taskQueue === undefined) {
    process.stderr.write('usage: floor-worker.js <address> <task queue> <max concurrent>\n');
    process.exit(2);
  }
  main(address, taskQueue, Number(max ?? 64)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
