/**
 * A real Temporal cluster for tests, without Docker, set up the way docker-compose.yml sets one
 * up: PostgreSQL; the schema through deploy/temporal/setup-schema.sh; Temporal's four services,
 * each a process of its own, configured with deploy/temporal/dynamicconfig/docker.yaml; the
 * namespace through deploy/temporal/create-namespace.sh. All on loopback ports chosen at random.
 * `dispose()` stops everything it started, by pid.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { ManagedProcess } from './managed-process';
import { freeLoopbackPorts, portAccepts } from './ports';
import { POSTGRES_PASSWORD, POSTGRES_USER, TestPostgres } from './postgres';
import {
  SERVICES,
  serverConfigYaml,
  type FrontendTls,
  type ServiceName,
  type ServicePorts,
} from './server-config';
import { clusterTools, DEPLOY_DIR, type ClusterTools } from './tools';

const run = promisify(execFile);

export const CLUSTER_NAMESPACE = 'default';
/** As docker-compose.yml's TEMPORAL_HISTORY_SHARDS default. */
const HISTORY_SHARDS = 4;

export interface ClusterOptions {
  readonly tls?: FrontendTls;
}

export class TestCluster {
  readonly namespace = CLUSTER_NAMESPACE;
  private configInput: Parameters<typeof serverConfigYaml>[0];

  private constructor(
    readonly dir: string,
    readonly tools: ClusterTools,
    readonly postgres: TestPostgres,
    private readonly ports: Record<ServiceName, ServicePorts>,
    frontendHttpPort: number,
    tls: FrontendTls | undefined,
    readonly services: Record<ServiceName, ManagedProcess>,
  ) {
    this.configInput = {
      postgresPort: postgres.port,
      ports,
      frontendHttpPort,
      historyShards: HISTORY_SHARDS,
      tls,
    };
  }

  get address(): string {
    return `127.0.0.1:${this.ports.frontend.grpc}`;
  }

  get configFile(): string {
    return path.join(this.dir, 'temporal-server.yaml');
  }

  get tls(): FrontendTls | undefined {
    return this.configInput.tls;
  }

  static async start(options: ClusterOptions = {}): Promise<TestCluster> {
    const tools = clusterTools();
    const dir = mkdtempSync(path.join(tmpdir(), 'fanout-cluster-'));
    const [postgresPort = 0, httpPort = 0, ...servicePorts] = await freeLoopbackPorts(
      2 + 2 * SERVICES.length,
    );
    const ports = Object.fromEntries(
      SERVICES.map((name, i) => [
        name,
        { grpc: servicePorts[2 * i] ?? 0, membership: servicePorts[2 * i + 1] ?? 0 },
      ]),
    ) as Record<ServiceName, ServicePorts>;
    const postgres = await TestPostgres.create(tools.postgresBinDir, postgresPort);
    const services = {} as Record<ServiceName, ManagedProcess>;
    const cluster = new TestCluster(dir, tools, postgres, ports, httpPort, options.tls, services);
    try {
      await cluster.setupSchema();
      cluster.writeConfig();
      // One at a time: on a fresh database the first service writes the cluster metadata, and
      // services that start together race on that insert, the losers exiting.
      for (const name of SERVICES) {
        services[name] = cluster.serviceProcess(name);
        await cluster.waitUntilListening(name);
      }
      await cluster.createNamespace();
    } catch (error) {
      await cluster.dispose();
      throw error;
    }
    return cluster;
  }

  /** deploy/temporal/setup-schema.sh, as the compose stack's `temporal-schema` job runs it. */
  async setupSchema(): Promise<string> {
    const { stdout } = await this.script('setup-schema.sh', {
      SQL_PLUGIN: 'postgres12',
      SQL_HOST: '127.0.0.1',
      SQL_PORT: String(this.postgres.port),
      SQL_USER: POSTGRES_USER,
      SQL_PASSWORD: POSTGRES_PASSWORD,
    });
    return stdout;
  }

  /** deploy/temporal/create-namespace.sh, as the compose stack's `temporal-namespace` job runs it. */
  async createNamespace(): Promise<void> {
    await this.script('create-namespace.sh', {
      TEMPORAL_ADDRESS: this.address,
      TEMPORAL_NAMESPACE: this.namespace,
      NAMESPACE_RETENTION: '24h',
      ...this.cliTlsEnv(),
    });
  }

  /** Starts the services named again (after a crash or a stop), one at a time; resolves once all serve. */
  async restartServices(names: readonly ServiceName[]): Promise<void> {
    for (const name of names) {
      this.services[name].restart();
      await this.waitUntilListening(name);
    }
    await this.waitUntilServing();
  }

  /** Resolves once the service accepts connections on its gRPC port; throws if it exits first. */
  async waitUntilListening(name: ServiceName, ms = 120_000): Promise<void> {
    const service = this.services[name];
    const listening = await Promise.race([
      portAccepts(this.ports[name].grpc, ms),
      service.exited().then(() => 'exited' as const),
    ]);
    if (listening !== true) {
      throw new Error(
        `the ${name} service ${listening === 'exited' ? 'exited' : 'did not listen'} on start:\n${service.tail(10)}`,
      );
    }
  }

  /** Resolves once `temporal operator cluster health` answers SERVING (all services up). */
  async waitUntilServing(ms = 120_000): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const dead = SERVICES.filter((name) => !this.services[name].running);
      if (dead.length > 0) throw new Error(`services exited: ${dead.join(', ')}\n${this.logs()}`);
      const health = await this.temporal(['operator', 'cluster', 'health']).catch(
        (error: Error) => error.message,
      );
      if (health.includes('SERVING') && !health.includes('NOT_SERVING')) return;
      if (Date.now() > deadline)
        throw new Error(`the cluster is not serving after ${ms} ms: ${health}\n${this.logs()}`);
      await delay(500);
    }
  }

  /** Runs the Temporal CLI against this cluster (with its TLS settings); resolves with stdout. */
  async temporal(args: readonly string[]): Promise<string> {
    const { stdout } = await run(
      path.join(this.tools.cliDir, 'temporal'),
      [...args, '--address', this.address],
      {
        env: { ...process.env, ...this.cliTlsEnv() },
        timeout: 30_000,
      },
    );
    return stdout;
  }

  /** Rewrites the configuration (e.g. to require client certificates); restart services to apply it. */
  reconfigure(tls: FrontendTls | undefined): void {
    this.configInput = { ...this.configInput, tls };
    this.writeConfig();
  }

  /** Every service's last log lines, for failure messages. */
  logs(): string {
    return SERVICES.map((name) => `--- ${name} ---\n${this.services[name]?.tail(15) ?? ''}`).join('\n');
  }

  async dispose(): Promise<void> {
    await Promise.all(SERVICES.map((name) => this.services[name]?.stop(5000)));
    await this.postgres.dispose();
  }

  private writeConfig(): void {
    writeFileSync(this.configFile, serverConfigYaml(this.configInput));
  }

  private serviceProcess(name: ServiceName): ManagedProcess {
    return new ManagedProcess(name, {
      command: this.tools.server,
      args: ['--config-file', this.configFile, '--allow-no-auth', 'start', '--service', name],
      logFile: path.join(this.dir, `${name}.log`),
      cwd: this.dir,
    });
  }

  /** The Temporal CLI's variables for this cluster's TLS (create-namespace.sh passes none itself). */
  private cliTlsEnv(): Record<string, string> {
    const tls = this.configInput.tls;
    if (tls === undefined) return {};
    return {
      TEMPORAL_TLS: 'true',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: tls.caFile,
      TEMPORAL_TLS_SERVER_NAME: tls.serverName,
      // The server's certificate also serves as a client certificate (it has both uses).
      TEMPORAL_TLS_CLIENT_CERT_PATH: tls.certFile,
      TEMPORAL_TLS_CLIENT_KEY_PATH: tls.keyFile,
    };
  }

  private async script(name: string, env: Record<string, string>): Promise<{ stdout: string }> {
    try {
      return await run('sh', [path.join(DEPLOY_DIR, name)], {
        env: {
          ...process.env,
          PATH: `${this.tools.serverDir}:${this.tools.cliDir}:${process.env.PATH ?? ''}`,
          ...env,
        },
        timeout: 300_000,
      });
    } catch (error) {
      const failed = error as { stderr?: string; stdout?: string; message: string };
      throw new Error(
        `${name} failed: ${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}\n${this.logs()}`,
      );
    }
  }
}
