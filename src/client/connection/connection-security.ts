/**
 * TLS and API-key settings for reaching a Temporal cluster that requires them (a self-hosted
 * cluster with mTLS, or Temporal Cloud). Flags win over the environment variables the Temporal
 * CLI uses (`TEMPORAL_TLS_CERT`, `TEMPORAL_TLS_KEY`, `TEMPORAL_TLS_CA`, `TEMPORAL_API_KEY`).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConnectionSecurity } from '../../contracts/connection';
import { UsageError } from '../errors';
import type { CommandIo } from '../io';

export interface SecurityArgs {
  readonly tls?: boolean;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsCa?: string;
  readonly tlsServerName?: string;
  readonly apiKey?: string;
}

export function resolveSecurity(args: SecurityArgs, io: Pick<CommandIo, 'env' | 'cwd'>): ConnectionSecurity {
  const cert = args.tlsCert ?? io.env.TEMPORAL_TLS_CERT;
  const key = args.tlsKey ?? io.env.TEMPORAL_TLS_KEY;
  const ca = args.tlsCa ?? io.env.TEMPORAL_TLS_CA;
  const apiKey = args.apiKey ?? io.env.TEMPORAL_API_KEY;
  if ((cert === undefined) !== (key === undefined)) {
    throw new UsageError(
      '--tls-cert and --tls-key go together: pass both (the client certificate and its private key)',
    );
  }
  const wantsTls =
    args.tls === true ||
    cert !== undefined ||
    ca !== undefined ||
    args.tlsServerName !== undefined ||
    apiKey !== undefined;
  if (!wantsTls) return {};
  const read = (flag: string, file: string): Buffer => {
    try {
      return readFileSync(resolve(io.cwd, file));
    } catch (error) {
      throw new UsageError(
        `${flag} ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the path`,
      );
    }
  };
  return {
    tls: {
      ...(args.tlsServerName === undefined ? {} : { serverNameOverride: args.tlsServerName }),
      ...(ca === undefined ? {} : { serverRootCACertificate: read('--tls-ca', ca) }),
      ...(cert === undefined || key === undefined
        ? {}
        : { clientCertPair: { crt: read('--tls-cert', cert), key: read('--tls-key', key) } }),
    },
    ...(apiKey === undefined ? {} : { apiKey }),
  };
}

/** Which flag asked for TLS, for error messages. */
export function securityFlagsInUse(security: ConnectionSecurity): string | undefined {
  if (security.apiKey !== undefined) return '--api-key';
  return security.tls === undefined ? undefined : '--tls';
}
