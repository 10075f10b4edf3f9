/**
 * Keeps a dev server from outliving the process that started it when that process ends without
 * calling `stop()`: it exits, or it is interrupted. The server runs in a process group of its own,
 * so Ctrl-C in a terminal does not reach it, and nothing else would stop it.
 */

/**
 * Kills group `pgid` when this process exits, or is interrupted by SIGINT or SIGTERM, before the
 * returned function is called. After a signal, when no one else listens for it, the signal is
 * raised again so this process still dies of it, as it would have without the hook.
 */
export function killGroupWhenOwnerEnds(pgid: number): () => void {
  const kill = (): void => {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    kill();
    release();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const release = (): void => {
    process.off('exit', kill);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('exit', kill);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return release;
}
