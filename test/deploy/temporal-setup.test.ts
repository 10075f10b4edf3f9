/**
 * The files docker-compose.yml mounts into the Temporal containers: the two one-shot job scripts
 * (run by the admin-tools image's busybox sh) and the server's dynamic config. Checked for syntax
 * with the local POSIX sh and, where installed, shellcheck; they are not run against a server here.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parse } from 'yaml';
import { devServerArgs } from '../../src/dev/dev-server-args';
import { PROJECT_ROOT, itWithTool, readProjectFile, runTool } from './deploy-files';

const SCRIPTS = ['deploy/temporal/setup-schema.sh', 'deploy/temporal/create-namespace.sh'];

describe('deploy/temporal job scripts', () => {
  it.each(SCRIPTS)('%s is valid POSIX sh', (script) => {
    const result = spawnSync('sh', ['-n', path.join(PROJECT_ROOT, script)], { encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it.each(SCRIPTS)('%s stops at the first failing command', (script) => {
    expect(readProjectFile(script)).toMatch(/^#!\/bin\/sh\n(#.*\n|\n)*set -eu\n/);
  });

  itWithTool('shellcheck', 'pass shellcheck as POSIX sh', (shellcheck) => {
    const result = runTool(shellcheck, ['--shell=sh', '--severity=style', ...SCRIPTS]);
    expect({ status: result.status, findings: result.stdout + result.stderr }).toEqual({
      status: 0,
      findings: '',
    });
  });

  it('setup-schema.sh sets up both databases from the schemas embedded in temporal-sql-tool', () => {
    const text = readProjectFile('deploy/temporal/setup-schema.sh');
    expect(text).toContain('temporal:postgresql/v12/temporal');
    expect(text).toContain('temporal_visibility:postgresql/v12/visibility');
    for (const step of ['create-database', 'setup-schema --version 0.0', 'update-schema --schema-name']) {
      expect(text).toContain(step);
    }
  });
});

describe('deploy/temporal/dynamicconfig/docker.yaml', () => {
  it('maps each key to a list of { value } entries, the shape the server reads', () => {
    const config = parse(readProjectFile('deploy/temporal/dynamicconfig/docker.yaml')) as Record<
      string,
      unknown
    >;
    expect(Object.keys(config).length).toBeGreaterThan(0);
    for (const [key, entries] of Object.entries(config)) {
      expect({ key, entries }).toEqual({
        key,
        entries: expect.arrayContaining([
          expect.objectContaining({ value: expect.anything() as unknown }),
        ]) as unknown,
      });
    }
  });

  it('gives the dev server and the cluster the same values for the keys both set', () => {
    const cluster = parse(readProjectFile('deploy/temporal/dynamicconfig/docker.yaml')) as Record<
      string,
      { value: unknown }[]
    >;
    const args = devServerArgs({ dbFile: 'x.sqlite', port: 1, uiPort: 2, namespace: 'default' });
    const dev = new Map(
      args.flatMap((arg, i) => {
        if (args[i - 1] !== '--dynamic-config-value') return [];
        const [key = '', value = ''] = arg.split('=');
        return [[key, value]];
      }),
    );
    expect(dev.get('history.transferProcessorMaxPollRPS')).toBeDefined();
    const shared = [...dev.keys()].filter((key) => key in cluster);
    expect(shared).toEqual(
      expect.arrayContaining([
        'history.maximumBufferedEventsBatch',
        'history.transferProcessorMaxPollRPS',
        'system.enableActivityEagerExecution',
      ]),
    );
    for (const key of shared) {
      expect({ key, value: String(cluster[key]?.[0]?.value) }).toEqual({ key, value: dev.get(key) });
    }
  });
});
