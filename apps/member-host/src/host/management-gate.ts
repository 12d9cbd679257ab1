import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * Tests only: the member host's NATS connection passes through this in-process relay when
 * TEST_MANAGEMENT_PATH_DEVICE is set, so the memory datapath can cut it as a change that takes
 * the management NIC into a bridge would (ManagementPathModel): `cut()` drops the connections
 * and refuses new ones, `heal()` lets them through again.
 */
export class ManagementGate {
  private readonly sockets = new Set<Socket>();
  private cutOff = false;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Relays to the first server of `natsUrl`. */
  static async start(natsUrl: string): Promise<ManagementGate> {
    const target = new URL(natsUrl.split(',')[0]!.trim());
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const auth = target.username ? `${target.username}:${target.password}@` : '';
    const gate = new ManagementGate(server, `nats://${auth}127.0.0.1:${port}`);
    server.on('connection', (client) =>
      gate.accept(client, target.hostname, Number(target.port || 4222)),
    );
    return gate;
  }

  cut(): void {
    this.cutOff = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  heal(): void {
    this.cutOff = false;
  }

  close(): void {
    this.cut();
    this.server.close();
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
