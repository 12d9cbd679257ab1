import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, LocalProcess, waitForPort } from './local-process.js';

const NATS_SERVER = '/usr/sbin/nats-server';

/** A member of a NATS cluster: its name, its route port, and where it dials the others. */
export interface ClusterMembership {
  name: string;
  clusterName: string;
  routePort: number;
  /** URLs of the other members' routes (through proxies the harness can cut). */
  routes: string[];
}

/**
 * A nats-server with JetStream of the harness's own (store in a temp dir, a free port), so a
 * fault suite can kill and restart it without touching the NATS other suites use. A restart
 * keeps the port and the store: streams and durable consumers survive it, as in production.
 */
export class NatsServer {
  private process: LocalProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly storeDir: string,
    readonly cluster: ClusterMembership | undefined,
  ) {}

  static async start(cluster?: ClusterMembership, port?: number): Promise<NatsServer> {
    const storeDir = await mkdtemp(path.join(tmpdir(), 'poolnet-faults-nats-'));
    const server = new NatsServer(port ?? (await freePort()), storeDir, cluster);
    await server.up();
    return server;
  }

  get name(): string {
    return this.cluster?.name ?? 'nats-server';
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.process?.alive ?? false;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  async up(): Promise<void> {
    if (this.process?.alive) return;
    const clustering = this.cluster
      ? [
          '-n',
          this.cluster.name,
          '--cluster_name',
          this.cluster.clusterName,
          '--cluster',
          `nats://127.0.0.1:${this.cluster.routePort}`,
          '--routes',
          this.cluster.routes.join(','),
        ]
      : [];
    this.process = LocalProcess.spawn(
      this.name,
      NATS_SERVER,
      ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir, ...clustering],
      {},
    );
    await waitForPort(this.port, this.process);
  }

  /** SIGKILL by default: a crash, not a goodbye to the clients. */
  async down(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.process?.stop(signal);
  }

  async restart(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await this.down(signal);
    await this.up();
  }

  async close(): Promise<void> {
    await this.down();
    await rm(this.storeDir, { recursive: true, force: true });
  }
}
