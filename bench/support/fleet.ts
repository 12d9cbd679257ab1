import type { NatsConnection } from '@nats-io/transport-node';
import { subjects } from '@pool/contracts';
import { MemoryVSwitchDriver } from '@pool/vswitch';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Datapath } from '../../apps/member-host/src/agent/datapath.js';
import { HostAgent } from '../../apps/member-host/src/agent/host-agent.js';
import { JetStreamFeed } from '../../apps/member-host/src/agent/jetstream-feed.js';
import { Reporter } from '../../apps/member-host/src/agent/reporter.js';
import { NatsSnapshotSource } from '../../apps/member-host/src/agent/snapshot-client.js';
import { StateStore } from '../../apps/member-host/src/agent/state-store.js';

/** What simulated hosts share in one process: a NATS connection, the subjects and a disk. */
export interface FleetEnv {
  nc: NatsConnection;
  root: string;
  eventsStream: string;
  /** Each host's state dir is `<dir>/<pool>/<host>`. */
  dir: string;
  warn: (message: string) => void;
}

/** One simulated member host: the member host's own classes, many per process. */
export interface FleetHost {
  name: string;
  agent: HostAgent;
  stop(): Promise<void>;
}

export async function fleetHost(env: FleetEnv, pool: string, host: string): Promise<FleetHost> {
  const names = subjects(env.root);
  const warn = (message: string) => env.warn(`${pool}/${host}: ${message}`);
  const agent: HostAgent = new HostAgent({
    pool,
    host,
    store: new StateStore(join(env.dir, pool, host), { pool, host }),
    datapath: new Datapath(new MemoryVSwitchDriver(), host),
    log: { log: () => undefined, warn },
    // Only called from boot() on, once `reporter` exists.
    onChange: () => reporter.soon(),
  });
  const reporter = new Reporter(
    env.nc,
    names.reports(pool, host),
    (full) => agent.report(full),
    warn,
  );
  const feed = new JetStreamFeed(env.nc, {
    pool,
    stream: env.eventsStream,
    subject: names.events(pool),
    durable: `member-${pool}-${host}`,
  });
  const snapshots = new NatsSnapshotSource(env.nc, names.snapshot(pool), 120_000);
  await agent.boot();
  const abort = new AbortController();
  const running = agent.run(feed, snapshots, abort.signal);
  return {
    name: host,
    agent,
    stop: async () => {
      abort.abort();
      await running;
      await agent.stop();
    },
  };
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

/** Resolves, with `epochMs()`, once every host has a reportable version of at least `version`. */
export function allApplied(hosts: readonly FleetHost[], version: number): Promise<number> {
  return new Promise((resolve) => {
    let remaining = 0;
    const offs: (() => void)[] = [];
    const done = () => {
      offs.forEach((off) => off());
      resolve(epochMs());
    };
    for (const { agent } of hosts) {
      if ((agent.applied?.version ?? 0) >= version) continue;
      remaining++;
      const off = agent.onApplied((v) => {
        if (v < version) return;
        off();
        if (--remaining === 0) done();
      });
      offs.push(off);
    }
    if (remaining === 0) done();
  });
}

export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++]!);
    }),
  );
}
