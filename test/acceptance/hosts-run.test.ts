/**
 * Issue 17 "Done when", SPEC §10: a bare repository as the remote, two worker processes with
 * their own `--workdir` (no shared checkout), a plan of 12 units in three levels: both hosts ran
 * units (each unit's `host`), the remote's integration branch holds every unit's change, and
 * `status` and `logs` work from a third directory with no checkout.
 */
import type { Progress } from '../../src/contracts/run-types';
import { requireBuiltCli } from '../client/helpers/built-cli';
import { uniqueTaskQueue } from '../helpers/fanout-worker';
import { integrationFiles, remoteRunProblems } from '../helpers/hosts-checks';
import {
  agentStarts,
  cliIn,
  connectionArgs,
  hostsRunId,
  hostsTestDirs,
  removeHostsTestDirs,
  runRemote,
  threeLevels,
  writeHostsPlan,
  outcomeOf,
  SUCCEEDED,
} from '../helpers/hosts-harness';
import { reapHosts, startHostWorker } from '../helpers/hosts-workers';

beforeAll(() => requireBuiltCli());
afterEach(reapHosts);
afterAll(async () => {
  await reapHosts();
  removeHostsTestDirs();
});

describe('many hosts: two workers and a bare remote run a plan of 12 units in three levels', () => {
  it('spreads the units over both hosts, integrates every change on the remote, answers status and logs from anywhere', async () => {
    const taskQueue = uniqueTaskQueue('hosts-run');
    const hosts = ['host-a', 'host-b'];
    const dirs = hostsTestDirs('run', hosts);
    await Promise.all(
      hosts.map((hostId) =>
        startHostWorker({ taskQueue, hostId, workdir: dirs.workdirs[hostId] as string, maxAgents: 2 }),
      ),
    );
    const units = threeLevels().map((unit) => unit.unit_id);
    const plan = writeHostsPlan(dirs, 'twelve', threeLevels(), { ticks: 2, maxWorkers: 4 });
    const id = hostsRunId('run');

    const ran = await runRemote(dirs, plan, taskQueue, id);

    const { result } = ran;

    expect(outcomeOf(ran)).toEqual(SUCCEEDED);
    const unitHosts = units.map((unitId) => result.units[unitId]?.host);
    expect(new Set(unitHosts)).toEqual(new Set(hosts));
    // Each agent ran once, on the host its result names.
    const starts = agentStarts(dirs);
    expect(starts.map((start) => start.unitId).sort()).toEqual([...units].sort());
    for (const start of starts) expect(result.units[start.unitId]?.host).toBe(start.host);
    expect(remoteRunProblems(dirs.remote, dirs.base, result)).toEqual([]);
    expect(integrationFiles(dirs.remote, result)).toEqual(
      ['README.md', ...units.map((unitId) => `src/${unitId}/done.txt`)].sort(),
    );

    const status = await cliIn(dirs.client, ['status', id, '--json', ...connectionArgs(taskQueue)]);
    expect(status.code).toBe(0);
    const progress = JSON.parse(status.stdout) as Progress;
    expect(progress.units.map((unit) => [unit.unit_id, unit.status])).toEqual(
      units.map((unitId) => [unitId, 'SUCCEEDED']),
    );
    const logs = await cliIn(dirs.client, ['logs', id, 'c4', ...connectionArgs(taskQueue)]);
    expect({ code: logs.code, stderr: logs.stderr }).toEqual({ code: 0, stderr: '' });
    expect(logs.stdout).toBe('tick 1\ntick 2\n');
  });
});
