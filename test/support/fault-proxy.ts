import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in front of PostgreSQL or Temporal's gRPC port (127.0.0.1, ephemeral port) that can fail like
 * them: the service under test connects through it, the test cuts it. The real server is never touched.
 */
export interface FaultProxy {
  /** The upstream URL with the proxy's host and port. */
  url: string;
  /** Connections open through the proxy. */
  open(): number;
  /** Resets every open connection (TCP RST both ways), as a server restart or `pg_terminate_backend` does. */
  reset(): void;
  /** Stops listening: new connections are refused (ECONNREFUSED), as while the server is down. */
  refuse(): void;
  /** Forwards nothing either way, on open and new connections (still accepted): a hung server or network path. */
  stall(): void;
  /** Forwards again: listening again after `refuse`, delivering what a stall held. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** `upstreamUrl`: a database URL, or `tcp://host:port` for any other TCP server. */
export async function startFaultProxy(upstreamUrl: string): Promise<FaultProxy> {
  const target = new URL(upstreamUrl);
  const upstreamAddress = { host: target.hostname, port: Number(target.port || 5432) };
  const links = new Set<Link>();
  let stalled = false;

  /** One client connection and its upstream; while stalled, what either side sends waits in `held`. */
  class Link {
    private upstream: Socket | undefined;
    private readonly held: Array<{ to: 'upstream' | 'client'; chunk: Buffer }> = [];

    constructor(private readonly client: Socket) {
      links.add(this);
      client.on('data', (chunk: Buffer) => this.send('upstream', chunk));
      client.on('error', () => this.close());
      client.on('close', () => this.close());
      if (!stalled) this.connectUpstream();
    }

    private connectUpstream(): void {
      const upstream = connect(upstreamAddress);
      this.upstream = upstream;
      upstream.on('data', (chunk: Buffer) => this.send('client', chunk));
      upstream.on('error', () => this.close());
      upstream.on('close', () => this.close());
    }

    private send(to: 'upstream' | 'client', chunk: Buffer): void {
      if (stalled) this.held.push({ to, chunk });
      else (to === 'client' ? this.client : this.upstream)!.write(chunk);
    }

    resume(): void {
      if (!this.upstream) this.connectUpstream();
      for (const { to, chunk } of this.held.splice(0)) (to === 'client' ? this.client : this.upstream)!.write(chunk);
    }

    reset(): void {
      links.delete(this);
      this.client.resetAndDestroy();
      this.upstream?.resetAndDestroy();
    }

    close(): void {
      links.delete(this);
      this.client.destroy();
      this.upstream?.destroy();
    }
  }

  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    const listening = createServer((client) => new Link(client));
    await new Promise<void>((ready, failed) => listening.once('error', failed).listen(port, '127.0.0.1', ready));
    port = (listening.address() as { port: number }).port;
    server = listening;
  };
  // Closing the listener refuses new connections at once; the ones it accepted are the links' business.
  const stopListening = () => {
    server?.close();
    server = undefined;
  };
  await listen();

  const url = new URL(upstreamUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    open: () => links.size,
    reset: () => {
      for (const link of [...links]) link.reset();
    },
    refuse: stopListening,
    stall: () => {
      stalled = true;
    },
    restore: async () => {
      stalled = false;
      for (const link of [...links]) link.resume();
      if (!server) await listen();
    },
    close: async () => {
      stopListening();
      for (const link of [...links]) link.close();
    },
  };
}
