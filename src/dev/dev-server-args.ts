/**
 * The `temporal server start-dev` command line: where it listens and stores, and the dynamic config
 * agent-fanout needs from its server (the compose stack's deploy/temporal/dynamicconfig/docker.yaml
 * sets the same keys to the same values; test/deploy checks that).
 */
import { FANOUT_SEARCH_ATTRIBUTES } from '../contracts/search-attributes';

/**
 * How often the server may read a history shard's transfer queue (`history.transferProcessorMaxPollRPS`,
 * default 20). The dev server has one shard, so this bounds the workflow tasks of all its runs
 * together. The compose stack's dynamic config sets the same (deploy/temporal/dynamicconfig/docker.yaml).
 */
export const TRANSFER_QUEUE_READS_PER_SECOND = 1000;

/**
 * How many events may wait behind a running workflow task before the server fails it
 * (`history.maximumBufferedEventsBatch`, default 100): two per unit that ends meanwhile. The
 * 2 MiB limit on their size (`history.maximumBufferedEventsSizeInBytes`) still holds. The compose
 * stack's dynamic config sets the same.
 */
export const BUFFERED_EVENTS_PER_TASK = 1000;

/** The `temporal server start-dev` arguments. */
export function devServerArgs(input: {
  dbFile: string;
  port: number;
  uiPort: number;
  namespace: string;
}): string[] {
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(input.port),
    '--ui-port',
    String(input.uiPort),
    '--db-filename',
    input.dbFile,
    '--log-level',
    'warn',
    // Ignore the user's ~/.config/temporal and TEMPORAL_* variables: they are for clients.
    '--disable-config-file',
    '--disable-config-env',
    // No network here: the UI would fetch its news feed, the server would phone home for versions.
    // (Updates need no flag: server 1.32 enables UpdateWorkflowExecution by default.)
    '--ui-disable-news-fetch',
    // What `agent-fanout list` searches runs by.
    ...FANOUT_SEARCH_ATTRIBUTES.flatMap((attribute) => ['--search-attribute', attribute]),
    '--dynamic-config-value',
    'frontend.enableServerVersionCheck=false',
    // SQLite's default rollback journal syncs the disk several times per commit, and each step
    // from a unit's end to its dependent's start costs three or four commits: on a busy machine
    // that doubled the step. WAL with synchronous=NORMAL syncs only at checkpoints. A killed
    // server (kill -9) loses nothing: its commits are in the WAL, which the next server replays.
    // Only a crash of the machine itself can lose the last commits; the file stays consistent.
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    // A unit the workflow starts comes back to its worker in the workflow task's answer, with no
    // trip through matching (about 4 ms a start). Server 1.32 does this by default; stated so that
    // a CLI pinned to an older server keeps it.
    '--dynamic-config-value',
    'system.enableActivityEagerExecution=true',
    // The workflow task after a unit's completion waits until the history shard's transfer queue is
    // read, at most 20 times a second by default (a token bucket): once its burst was spent, a chain
    // of quick units waited 33 ms per link for its workflow task instead of 3 (docs/performance.md).
    '--dynamic-config-value',
    `history.transferProcessorMaxPollRPS=${TRANSFER_QUEUE_READS_PER_SECOND}`,
    // Units that end together (a wave of same-length agents, or an agent command that fails at
    // once) buffer two events each behind the running workflow task; past 100 the server fails that
    // task and the worker redoes it from a replay. 256 x `sleep 1` at max_workers 128 lost 2 tasks.
    '--dynamic-config-value',
    `history.maximumBufferedEventsBatch=${BUFFERED_EVENTS_PER_TASK}`,
    ...(input.namespace === 'default' ? [] : ['--namespace', input.namespace]),
  ];
}
