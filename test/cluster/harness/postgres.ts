/**
 * A PostgreSQL server of its own for one test cluster: a fresh data directory in a temporary
 * folder, listening on one loopback port, its superuser `temporal` with a password (as the
 * compose stack's `postgresql` service has). initdb refuses to run as root, so as root every
 * PostgreSQL program runs as the `postgres` user that Debian's package creates.
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { isAlive } from './managed-process';

const run = promisify(execFile);

export const POSTGRES_USER = 'temporal';
export const POSTGRES_PASSWORD = 'temporal-test';

export class TestPostgres {
  private constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly binDir: string,
  ) {}

  /** initdb, then start; resolves once it accepts connections. */
  static async create(binDir: string, port: number): Promise<TestPostgres> {
    const base = mkdtempSync(path.join(tmpdir(), 'fanout-cluster-pg-'));
    chmodSync(base, 0o755);
    const dataDir = path.join(base, 'data');
    const passwordFile = path.join(base, 'password');
    writeFileSync(passwordFile, `${POSTGRES_PASSWORD}\n`, { mode: 0o644 });
    const owner = asPostgresUser();
    if (owner !== undefined) chownSync(base, owner.uid, owner.gid);
    const postgres = new TestPostgres(port, dataDir, binDir);
    await postgres.exec('initdb', [
      '--pgdata',
      dataDir,
      '--username',
      POSTGRES_USER,
      '--pwfile',
      passwordFile,
      '--auth-local',
      'trust',
      '--auth-host',
      'scram-sha-256',
      '--no-sync',
    ]);
    await postgres.start();
    return postgres;
  }

  /** The postmaster's pid, from its pid file; undefined when it is not running. */
  pid(): number | undefined {
    try {
      const pid = Number(readFileSync(path.join(this.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      return isAlive(pid) ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  async start(): Promise<void> {
    await this.exec('pg_ctl', [
      'start',
      '--pgdata',
      this.dataDir,
      '--wait',
      '--log',
      path.join(path.dirname(this.dataDir), 'postgres.log'),
      '-o',
      `-c listen_addresses=127.0.0.1 -p ${this.port} -k ${path.dirname(this.dataDir)} -c max_connections=200 -c fsync=off`,
    ]);
  }

  /** `pg_ctl stop -m immediate`: the server quits at once, as in a crash (recovery on next start). */
  async stopImmediately(): Promise<void> {
    await this.exec('pg_ctl', ['stop', '--pgdata', this.dataDir, '--mode', 'immediate', '--wait']);
  }

  /** Stops the server if it runs (SIGKILL to its pid if pg_ctl could not), then deletes its data. Never throws. */
  async dispose(): Promise<void> {
    const pid = this.pid();
    if (pid !== undefined) {
      await this.exec('pg_ctl', ['stop', '--pgdata', this.dataDir, '--mode', 'fast', '--wait']).catch(
        () => undefined,
      );
      for (let i = 0; i < 50 && isAlive(pid); i++) await delay(100);
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    // Some 60 MiB a cluster; the log beside it stays.
    if (this.pid() === undefined) rmSync(this.dataDir, { recursive: true, force: true });
  }

  log(): string {
    try {
      return readFileSync(path.join(path.dirname(this.dataDir), 'postgres.log'), 'utf8');
    } catch {
      return '';
    }
  }

  private async exec(program: string, args: string[]): Promise<void> {
    const binary = path.join(this.binDir, program);
    const [command, argv] =
      asPostgresUser() === undefined
        ? [binary, args]
        : ['runuser', ['-u', 'postgres', '--', binary, ...args]];
    try {
      await run(command, argv, { cwd: path.dirname(this.dataDir), timeout: 120_000 });
    } catch (error) {
      const failed = error as { stderr?: string; stdout?: string; message: string };
      throw new Error(
        `${program} ${args[0] ?? ''} failed: ${failed.stderr || failed.stdout || failed.message}\n${this.log()}`,
      );
    }
  }
}

/** As root, the `postgres` account PostgreSQL must run as; otherwise undefined (run as oneself). */
function asPostgresUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  if (line === undefined)
    throw new Error('running as root, but there is no `postgres` user: apt-get install postgresql');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
