/**
 * Where client and worker find Temporal, and how they authenticate: the defaults both sides
 * share, declared once.
 */
/** TLS and API key for the connection to Temporal; empty for a plain local server. */
export interface ConnectionSecurity {
  readonly tls?: {
    readonly serverNameOverride?: string;
    readonly serverRootCACertificate?: Buffer;
    readonly clientCertPair?: { readonly crt: Buffer; readonly key: Buffer };
  };
  readonly apiKey?: string;
}

export const DEFAULT_TASK_QUEUE = 'agent-fanout';
export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_ADDRESS = 'localhost:7233';

export function resolveAddress(
  flag: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string {
  return flag ?? env.TEMPORAL_ADDRESS ?? DEFAULT_ADDRESS;
}
