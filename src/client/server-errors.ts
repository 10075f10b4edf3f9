/** Thrown when no Temporal server answers at the address; the message says how to get one. */
export class ServerUnavailable extends Error {
  readonly code = 'SERVER_UNAVAILABLE';

  constructor(
    readonly address: string,
    cause: unknown,
  ) {
    super(
      `No Temporal server answers at ${address}. Start one with \`agent-fanout dev\`, ` +
        `pass --address (or set TEMPORAL_ADDRESS), or use --embedded to run one just for this run.`,
      { cause },
    );
    this.name = 'ServerUnavailable';
  }
}
