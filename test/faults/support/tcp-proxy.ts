import { connect, createServer, type Server, type Socket } from 'node:net';
import { freePort } from './local-process.js';

/**
 * A TCP proxy in front of one process's NATS connection: `cut()` drops every connection and
 * refuses new ones (a network partition of that process alone), `heal()` lets them through
 * again. The process itself keeps running, as a host behind a dead switch port would.
 */
export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private cutOff = false;

  private constructor(
    readonly port: number,
    private readonly server: Server,
    readonly host: string,
  ) {}

  /** `host`: the address it listens on (another than loopback for clients in a namespace). */
  static async start(targetPort: number, host = '127.0.0.1'): Promise<TcpProxy> {
    const port = await freePort();
    const server = createServer((client) => proxy.accept(client, targetPort));
    const proxy = new TcpProxy(port, server, host);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    return proxy;
  }

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

  private accept(client: Socket, targetPort: number): void {
    if (this.cutOff) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
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
