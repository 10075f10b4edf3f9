/**
 * The Temporal Server configuration of a test cluster: PostgreSQL persistence (the compose
 * stack's `postgres12` plugin), the dynamic config file the compose stack mounts, and the four
 * services on loopback ports of their own. One file serves all four processes; each starts only
 * the service it is told (`start --service <name>`).
 */
import { stringify } from 'yaml';
import { POSTGRES_PASSWORD, POSTGRES_USER } from './postgres';
import { DYNAMIC_CONFIG_FILE } from './tools';

export const SERVICES = ['frontend', 'history', 'matching', 'worker'] as const;
export type ServiceName = (typeof SERVICES)[number];

export interface ServicePorts {
  readonly grpc: number;
  readonly membership: number;
}

/** The frontend's TLS: certificates made by test/cluster/harness/tls.ts. */
export interface FrontendTls {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** The name in the server certificate, which internal clients verify. */
  readonly serverName: string;
  /** mTLS: clients must present a certificate signed by `caFile`. */
  readonly requireClientAuth: boolean;
}

export interface ServerConfigInput {
  readonly postgresPort: number;
  readonly ports: Record<ServiceName, ServicePorts>;
  readonly frontendHttpPort: number;
  readonly historyShards: number;
  readonly tls?: FrontendTls;
}

function datastore(database: string, port: number, maxConns: number): Record<string, unknown> {
  return {
    sql: {
      pluginName: 'postgres12',
      databaseName: database,
      connectAddr: `127.0.0.1:${port}`,
      connectProtocol: 'tcp',
      user: POSTGRES_USER,
      password: POSTGRES_PASSWORD,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  };
}

function tlsSection(tls: FrontendTls): Record<string, unknown> {
  const client = { serverName: tls.serverName, rootCaFiles: [tls.caFile] };
  return {
    frontend: {
      server: {
        certFile: tls.certFile,
        keyFile: tls.keyFile,
        requireClientAuth: tls.requireClientAuth,
        clientCaFiles: [tls.caFile],
      },
      // Services that call the frontend present the server's certificate as their own.
      client,
    },
    // The worker service's system workflows connect to the frontend like any worker.
    systemWorker: { certFile: tls.certFile, keyFile: tls.keyFile, client },
  };
}

export function serverConfigYaml(input: ServerConfigInput): string {
  const frontendAddress = `127.0.0.1:${input.ports.frontend.grpc}`;
  const services = Object.fromEntries(
    SERVICES.map((name) => [
      name,
      {
        rpc: {
          grpcPort: input.ports[name].grpc,
          membershipPort: input.ports[name].membership,
          bindOnLocalHost: true,
          ...(name === 'frontend' ? { httpPort: input.frontendHttpPort } : {}),
        },
      },
    ]),
  );
  const config = {
    log: { stdout: true, level: 'warn' },
    persistence: {
      defaultStore: 'postgres-default',
      visibilityStore: 'postgres-visibility',
      numHistoryShards: input.historyShards,
      datastores: {
        'postgres-default': datastore('temporal', input.postgresPort, 20),
        'postgres-visibility': datastore('temporal_visibility', input.postgresPort, 4),
      },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: '127.0.0.1' },
      ...(input.tls === undefined ? {} : { tls: tlsSection(input.tls) }),
    },
    services,
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: {
          enabled: true,
          initialFailoverVersion: 1,
          rpcName: 'frontend',
          rpcAddress: frontendAddress,
        },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    publicClient: { hostPort: frontendAddress },
    dynamicConfigClient: { filepath: DYNAMIC_CONFIG_FILE, pollInterval: '60s' },
  };
  return stringify(config);
}
