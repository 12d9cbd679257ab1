import type { EventEnvelope } from '@pool/contracts';
import {
  poolDecider,
  replayPool,
  type PoolCommand,
  type PoolCommandType,
  type PoolEvent,
  type PoolState,
} from '@pool/domain';
import type { EventFeed, FeedMessage, LiveFeed, SnapshotSource } from '../feed.js';

export const POOL = 'p1';
const NOW = '2025-01-02T03:04:05.000Z';

const cmd = <T extends PoolCommandType>(type: T, data: Extract<PoolCommand, { type: T }>['data']) =>
  ({ type, data, metadata: { now: NOW, actor: 'test' } }) as PoolCommand;

const pifs = (n: number) => [
  { device: 'eth0', mac: `00:16:3e:00:00:0${n}`, mtu: 1500, speedMbps: 1000, carrier: true },
];

/**
 * A pool with hosts h1 and h2, a VLAN network (or an overlay network, VNI 1, the hosts' tunnel
 * endpoints on eth0), and `vms` VMs running on h1 and h2 in turn, each with one VIF: enough
 * events to replay, and ports on both hosts.
 */
export function poolEvents(vms = 3, network: 'vlan' | 'overlay' = 'vlan'): PoolEvent[] {
  const commands: PoolCommand[] = [
    cmd('CreatePool', { poolId: POOL, name: 'pool' }),
    ...['h1', 'h2'].map((hostId, i) =>
      cmd('JoinHost', {
        hostId,
        name: hostId,
        address: hostId,
        managementDevice: 'eth0',
        pifs: pifs(i + 1),
      }),
    ),
    ...(network === 'vlan'
      ? [
          cmd('CreateNetwork', {
            networkId: 'n10',
            name: 'ten',
            purpose: 'vm',
            kind: 'external',
            device: 'eth0',
            vlan: 10,
          }),
        ]
      : [
          ...['h1', 'h2'].map((hostId, i) =>
            cmd('SetTunnelEndpoint', { hostId, device: 'eth0', address: `192.0.2.${i + 1}` }),
          ),
          cmd('CreateNetwork', { networkId: 'n10', name: 'ten', purpose: 'vm', kind: 'overlay' }),
        ]),
  ];
  for (let i = 0; i < vms; i++) {
    commands.push(
      cmd('CreateVm', { vmId: `vm${i}`, name: `vm${i}` }),
      cmd('CreateVif', { vifId: `vif${i}`, vmId: `vm${i}`, device: 0, networkId: 'n10' }),
      cmd('StartVm', { vmId: `vm${i}`, hostId: i % 2 === 0 ? 'h1' : 'h2' }),
    );
  }
  const state = poolDecider.initialState();
  const events: PoolEvent[] = [];
  for (const c of commands) {
    for (const event of poolDecider.decide(c, state)) {
      poolDecider.evolve(state, event);
      events.push(event);
    }
  }
  return events;
}

export const envelopeOf = (event: PoolEvent, version: number): EventEnvelope => ({
  id: `e${version}`,
  pool: POOL,
  version,
  position: `1:1:${version}`,
  type: event.type,
  schemaVersion: event.schemaVersion,
  data: event.data,
  metadata: {},
  createdAt: new Date().toISOString(),
});

interface Stored {
  seq: number;
  envelope?: EventEnvelope;
  logId?: string;
}

/**
 * An events stream in memory. Live deliveries follow `script` (stream sequences, repeats and
 * all, one list per `follow` call) or else every message after the position; then the live
 * feed waits, like a consumer with nothing pending, until it is stopped.
 */
export class FakeFeed implements EventFeed {
  readonly messages: Stored[] = [];
  firstSeq: number | undefined;
  readonly script: number[][] = [];
  readonly acked: number[] = [];
  readonly follows: number[] = [];
  readonly replays: number[] = [];
  batch = 3;
  /** The log the relay stamps on what it publishes next (none: a relay of older code). */
  logId: string | undefined;
  private seq = 0;

  /** Appends the pool's events 1..n (or the given versions) as the relay would. */
  publish(events: PoolEvent[], versions = events.map((_, i) => i + 1)): this {
    for (const v of versions) {
      const envelope = envelopeOf(events[v - 1]!, v);
      this.messages.push({ seq: ++this.seq, envelope, ...(this.logId && { logId: this.logId }) });
    }
    return this;
  }

  /** A message of another pool between ours: sequences have holes. */
  other(): this {
    this.seq++;
    return this;
  }

  junk(): this {
    this.messages.push({ seq: ++this.seq });
    return this;
  }

  bounds() {
    return Promise.resolve({
      firstSeq: this.firstSeq ?? this.messages[0]?.seq ?? 0,
      lastSeq: this.seq,
    });
  }

  async *replay(afterSeq: number): AsyncGenerator<FeedMessage[]> {
    this.replays.push(afterSeq);
    await Promise.resolve();
    const from = Math.max(afterSeq + 1, this.firstSeq ?? 0);
    const rest = this.messages.filter((m) => m.seq >= from);
    for (let i = 0; i < rest.length; i += this.batch) {
      yield rest.slice(i, i + this.batch).map((m, j) => this.toFeed(m, rest.length - i - j - 1));
    }
  }

  follow(afterSeq: number): Promise<LiveFeed> {
    this.follows.push(afterSeq);
    const script = this.script.shift();
    let stopped = false;
    const messages = this.messages;
    const toFeed = (m: Stored, pending: number) => ({
      ...this.toFeed(m, pending),
      ack: () => this.acked.push(m.seq),
    });
    return Promise.resolve({
      stop: () => (stopped = true),
      async *[Symbol.asyncIterator]() {
        if (script) {
          for (const [i, seq] of script.entries()) {
            await Promise.resolve();
            if (stopped) return;
            yield toFeed(
              messages.find((m) => m.seq === seq)!,
              script.length - i - 1,
            );
          }
        }
        // Then whatever gets published, as a consumer with nothing pending waits for it.
        let last = script ? Math.max(afterSeq, ...script) : afterSeq;
        while (!stopped) {
          const next = messages.filter((m) => m.seq > last);
          for (const [i, m] of next.entries()) {
            if (stopped) return;
            last = m.seq;
            yield toFeed(m, next.length - i - 1);
          }
          await new Promise((resolve) => setTimeout(resolve, 2));
        }
      },
    });
  }

  private toFeed(m: Stored, pending: number): FeedMessage {
    return {
      seq: m.seq,
      pending,
      redelivered: false,
      ...(m.envelope ? { envelope: m.envelope } : { problem: 'not JSON' }),
      ...(m.logId && { logId: m.logId }),
      ack: () => undefined,
    };
  }
}

/**
 * The master's snapshot subject: the pool at `version`, by default at the newest version the
 * feed holds (the master commits before the relay publishes).
 */
export class FakeSnapshots implements SnapshotSource {
  served = 0;
  version: number | undefined;
  /** The log the master reads; by default the one the feed's relay stamps. */
  logId: string | undefined;

  constructor(
    private readonly events: PoolEvent[],
    private readonly feed?: FakeFeed,
  ) {}

  fetch(): Promise<{ version: number; state: PoolState; logId?: string }> {
    this.served++;
    const published = this.feed?.messages.map((m) => m.envelope?.version ?? 0) ?? [];
    const version = this.version ?? Math.max(0, ...published);
    const logId = this.logId ?? this.feed?.logId;
    const state = replayPool(this.events.slice(0, version));
    return Promise.resolve({ version, state, ...(logId && { logId }) });
  }
}
