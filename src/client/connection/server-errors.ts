/** Thrown when no Temporal server answers at the address; the message says how to get one. */
export class ServerUnavailable extends Error {
  readonly code = 'SERVER_UNAVAILABLE';

  constructor(
    readonly address: string,
    cause: unknown,
    /** The flag that asked for TLS, when one did: the likeliest culprit against a plain server. */
    readonly securityFlag?: string,
  ) {
    super(
      securityFlag !== undefined
        ? `Could not connect to ${address} with TLS (${securityFlag}): ${reason(cause)}. ` +
            `If that server does not use TLS (a local dev server does not), drop ${securityFlag}; ` +
            `otherwise check --tls-ca, --tls-cert/--tls-key or --api-key and --tls-server-name.`
        : `No Temporal server answers at ${address}. Start one with \`agent-fanout dev\`, ` +
            `pass --address (or set TEMPORAL_ADDRESS), or use --embedded to run one just for this run.`,
      { cause },
    );
    this.name = 'ServerUnavailable';
  }
}

function reason(cause: unknown): string {
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.split('\n')[0] ?? text;
}
