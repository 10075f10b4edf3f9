/**
 * Noticing that the dev server this process started has died (killed, crashed, out of memory):
 * its worker would otherwise retry gRPC calls forever and a followed run would wait without end.
 * The server is our child, so once it exits Node reaps it and signal 0 no longer reaches its pid.
 */
import { pidInUse } from '../../activities/agent/process-group';

const CHECK_MS = 1000;

export interface ServerDeathWatch {
  /** Resolves once the server has gone without being asked to stop. */
  readonly died: Promise<void>;
  /** Stop watching (the server is being stopped on purpose). */
  stop(): void;
}

export function watchServerDeath(pid: number): ServerDeathWatch {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const died = new Promise<void>((resolve) => {
    timer = setInterval(() => {
      if (stopped || pidInUse(pid)) return;
      clearInterval(timer);
      resolve();
    }, CHECK_MS);
    timer.unref();
  });
  return {
    died,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
