import { jetstreamManager } from '@nats-io/jetstream';
import { TcpRelay } from '@pool/platform';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { freePort, sleep } from './local-process.js';
import { NatsServer } from './nats-server.js';

/**
 * A JetStream cluster of the harness's own: `size` nats-servers on loopback, each dialling the
 * others' routes through a proxy per direction, so one node can be partitioned from the rest
 * (`partition`) while it and its clients keep running, and healed again. Kill and restart a
 * node with its own `down`/`up` (it keeps its name, ports and store, as a rebooted server does).
 */
export class NatsCluster {
  private constructor(
    readonly nodes: NatsServer[],
    /** `${from}->${to}`: the proxy `from` dials to reach `to`'s route port. */
    private readonly links: Map<string, TcpRelay>,
  ) {}

  static async start(size = 3): Promise<NatsCluster> {
    const names = Array.from({ length: size }, (_, i) => `n${i + 1}`);
    const routePorts = await Promise.all(names.map(() => freePort()));
    const links = new Map<string, TcpRelay>();
    for (const [i, from] of names.entries()) {
      for (const [j, to] of names.entries()) {
        if (i !== j) links.set(`${from}->${to}`, await TcpRelay.start(routePorts[j]!));
      }
    }
    const nodes = await Promise.all(
      names.map((name, i) =>
        NatsServer.start({
          name,
          clusterName: 'poolnet-faults',
          routePort: routePorts[i]!,
          routes: names
            .filter((other) => other !== name)
            .map((other) => links.get(`${name}->${other}`)!.url),
        }),
      ),
    );
    const cluster = new NatsCluster(nodes, links);
    await cluster.waitForMetaLeader();
    await cluster.waitForPeers(size);
    return cluster;
  }

  /**
   * Until a stream with a copy on every node can be placed: the meta leader answers before it
   * knows all its peers, and an R3 stream asked for then is refused ("insufficient resources").
   */
  private async waitForPeers(size: number, timeoutMs = 30_000): Promise<void> {
    const nc = await connect({ servers: this.url.split(','), name: 'nats-cluster-ready' });
    try {
      const jsm = await jetstreamManager(nc);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const placed = await jsm.streams
          .add({
            name: 'CLUSTER_READY_PROBE',
            subjects: ['cluster-ready-probe'],
            num_replicas: size,
          })
          .then(() => true)
          .catch(() => false);
        if (placed) break;
        if (Date.now() > deadline) throw new Error(`no R${size} stream could be placed`);
        await sleep(250);
      }
      await jsm.streams.delete('CLUSTER_READY_PROBE');
    } finally {
      await nc.close();
    }
  }

  /** Until JetStream's API answers through every node: the cluster elected its meta leader. */
  private async waitForMetaLeader(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const node of this.nodes) {
      const nc = await connect({ servers: node.url, name: 'nats-cluster-ready' });
      try {
        for (;;) {
          const reply = await nc
            .request('$JS.API.INFO', undefined, { timeout: 1000 })
            .catch(() => undefined);
          const body = reply?.json<{ error?: unknown }>();
          if (body && !body.error) break;
          if (Date.now() > deadline) throw new Error(`JetStream not ready on ${node.name}`);
          await sleep(200);
        }
      } finally {
        await nc.close();
      }
    }
  }

  /** Every node's client URL, as a client lists them (NATS_URL). */
  get url(): string {
    return this.nodes.map((n) => `nats://127.0.0.1:${n.port}`).join(',');
  }

  node(name: string): NatsServer {
    const found = this.nodes.find((n) => n.name === name);
    if (!found) throw new Error(`no node ${name}`);
    return found;
  }

  /** Cuts every route to and from `name`: it and its clients keep running, alone. */
  partition(name: string): void {
    for (const [key, proxy] of this.links) if (key.split('->').includes(name)) proxy.cut();
  }

  heal(name: string): void {
    for (const [key, proxy] of this.links) if (key.split('->').includes(name)) proxy.heal();
  }

  /** The node leading `stream`'s replicas, waiting until the stream has one. */
  async leaderOf(nc: NatsConnection, stream: string, timeoutMs = 20_000): Promise<string> {
    const jsm = await jetstreamManager(nc);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const info = await jsm.streams.info(stream).catch(() => undefined);
      const leader = info?.cluster?.leader;
      if (leader) return leader;
      if (Date.now() > deadline) throw new Error(`stream ${stream} has no leader`);
      await sleep(200);
    }
  }

  /**
   * Waits until `stream` has a leader and every replica is current: the state a scenario
   * starts from, and ends in (a restarted or healed node caught up).
   */
  async waitForReplicas(nc: NatsConnection, stream: string, timeoutMs = 60_000): Promise<void> {
    const jsm = await jetstreamManager(nc);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const info = await jsm.streams.info(stream).catch(() => undefined);
      const replicas = info?.cluster?.replicas ?? [];
      const current =
        info?.cluster?.leader !== undefined &&
        replicas.length === info.config.num_replicas - 1 &&
        replicas.every((r) => r.current && !r.offline);
      if (current) return;
      if (Date.now() > deadline) {
        throw new Error(`stream ${stream} replicas not current: ${JSON.stringify(info?.cluster)}`);
      }
      await sleep(250);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.close()));
    await Promise.all([...this.links.values()].map((p) => p.close()));
  }
}
