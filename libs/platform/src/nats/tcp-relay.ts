import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay in front of one NATS server that can be cut, for tests of what a host does when
 * its path to NATS goes: `cut()` drops every connection and refuses new ones (a partition of
 * whoever connects through it), `heal()` lets them through again, and the processes on both
 * sides keep running, as a host behind a dead switch port would. The fault suite puts one in
 * front of each process's NATS and each cluster route; the member host runs one in-process
 * when its memory datapath models its management path (ManagementGate).
 */
export class TcpRelay {
  private readonly sockets = new Set<Socket>();
  private cutOff = false;

  private constructor(
    private readonly server: Server,
    /** The address and port it listens on. */
    readonly host: string,
    readonly port: number,
  ) {}

  /**
   * Relays to `targetPort` on `targetHost`, listening on `listenHost` (another address than
   * loopback for clients in a network namespace) at a free port.
   */
  static async start(
    targetPort: number,
    { listenHost = '127.0.0.1', targetHost = '127.0.0.1' } = {},
  ): Promise<TcpRelay> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, listenHost, resolve);
    });
    const { port } = server.address() as { port: number };
    const relay = new TcpRelay(server, listenHost, port);
    server.on('connection', (client) => relay.accept(client, targetHost, targetPort));
    return relay;
  }

  /** The relay as a NATS server URL. */
  get url(): string {
    return `nats://${this.host}:${this.port}`;
  }

  cut(): void {
    this.cutOff = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  heal(): void {
    this.cutOff = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, host: string, port: number): void {
    if (this.cutOff) {
      client.destroy();
      return;
    }
    const upstream = connect(port, host);
    for (const [a, b] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      this.sockets.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        this.sockets.delete(a);
        b.destroy();
      });
    }
  }
}
