/**
 * The programs a test cluster is made of, found where `npm run provision:cluster` and Debian put
 * them. Each lookup throws a message that says how to get the missing program.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { findTemporalCli } from '../../../src/dev/find-temporal-cli';
import { PROJECT_ROOT } from '../../helpers/scenario-runner';

export { PROJECT_ROOT };

/** The deploy files the compose stack mounts, used here unchanged. */
export const DEPLOY_DIR = path.join(PROJECT_ROOT, 'deploy', 'temporal');
export const DYNAMIC_CONFIG_FILE = path.join(DEPLOY_DIR, 'dynamicconfig', 'docker.yaml');

export interface ClusterTools {
  /** Holds `temporal-server` and `temporal-sql-tool`. */
  readonly serverDir: string;
  readonly server: string;
  /** Holds `temporal` (the CLI create-namespace.sh calls). */
  readonly cliDir: string;
  /** Holds initdb, pg_ctl and postgres. */
  readonly postgresBinDir: string;
}

export function clusterTools(): ClusterTools {
  const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
    config: { temporalServerVersion: string };
  };
  const serverDir = path.join(
    PROJECT_ROOT,
    '.tools',
    `temporal-server-${manifest.config.temporalServerVersion}`,
  );
  const server = path.join(serverDir, 'temporal-server');
  if (!existsSync(server) || !existsSync(path.join(serverDir, 'temporal-sql-tool'))) {
    throw new Error(
      `${server} is missing: run \`npm run provision:cluster\` (builds it once, 5 to 9 minutes)`,
    );
  }
  const cli = findTemporalCli();
  if (!cli.found) throw new Error(cli.message);
  return { serverDir, server, cliDir: path.dirname(cli.path), postgresBinDir: postgresBinDir() };
}

/** Debian's newest PostgreSQL under /usr/lib/postgresql/<major>/bin. */
function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => /^\d+$/.test(name) && existsSync(path.join(root, name, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = majors[0];
  if (newest === undefined) {
    throw new Error(
      'PostgreSQL is not installed: `apt-get install postgresql` (Debian), then run the tests again',
    );
  }
  return path.join(root, newest, 'bin');
}
