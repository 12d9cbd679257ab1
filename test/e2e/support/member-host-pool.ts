/**
 * A pool as real processes for the member-host e2e suites: one pool master and any number of
 * member hosts (built `dist/`), over the suite's own database, NATS subject root and streams.
 * Also reads the pool's log back, so tests compare hosts with what the log says.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DeliverPolicy } from '@nats-io/jetstream';
import { type CommandReply, type HostReport } from '@pool/contracts';
import { replayPool, upcastPoolEvent } from '@pool/domain';
import { hostDigest } from '@pool/pool-topology';
import { createTestDatabase } from '../../support/databases.js';
import { createTestNats } from '../../support/nats.js';
import {
  exitCodeWithin,
  freePort,
  killStarted,
  start,
  waitForHealthy,
  type Running,
} from '../../support/processes.js';
import { natsUrl } from '../../support/services.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- /status is read field by field
export type Json = any;

export interface MemberHost {
  name: string;
  base: string;
  stateDir: string;
  running: Running;
  status(): Promise<Json>;
  /** SIGTERM, and wait for a clean exit. */
  stop(): Promise<void>;
  kill(): void;
}

/**
 * `masterEnv` joins the pool master's environment (e.g. `GRPC_URL` to serve gRPC);
 * `databaseUrl`, a migrated database of the test's own, replaces the suite's test database.
 */
export async function startPool(
  pool: string,
  masterEnv: Record<string, string> = {},
  options: { databaseUrl?: string } = {},
) {
  const db = options.databaseUrl
    ? { url: options.databaseUrl, drop: () => Promise.resolve() }
    : await createTestDatabase();
  const nats = await createTestNats();
  const stateRoot = await mkdtemp(join(tmpdir(), 'poolnet-member-hosts-'));
  const hosts = new Map<string, MemberHost>();
  const common = {
    NATS_URL: natsUrl(),
    SUBJECT_ROOT: nats.root,
    EVENTS_STREAM: nats.eventsStream,
    REPORTS_STREAM: nats.reportsStream,
  };

  let master: { base: string; running: Running } | undefined;
  const startMaster = async () => {
    const port = await freePort();
    const running = start('pool-master', {
      ...common,
      DATABASE_URL: db.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      GRPC_URL: 'off',
      ...masterEnv,
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForHealthy(base, running);
    master = { base, running };
  };
  await startMaster();

  const command = async (type: string, data: unknown, extra: object = {}) => {
    const msg = await nats.nc.request(
      nats.commandSubject(pool, type),
      JSON.stringify({ data, ...extra }),
      { timeout: 30_000 },
    );
    return msg.json<CommandReply>();
  };

  /** Sends a command that must succeed; returns the pool version it reached. */
  const ok = async (type: string, data: unknown, extra: object = {}): Promise<number> => {
    const reply = await command(type, data, extra);
    if (!reply.ok) throw new Error(`${type} refused: ${JSON.stringify(reply.error)}`);
    return reply.result.version;
  };

  /**
   * `netns` and `address`: the host runs in that namespace, listening on every address there,
   * and the test reaches it at `address` (its management address) instead of loopback.
   */
  const startHost = async (
    name: string,
    env: Record<string, string> = {},
    options: { healthy?: boolean; netns?: string; address?: string } = {},
  ): Promise<MemberHost> => {
    const port = await freePort();
    const stateDir = join(stateRoot, name);
    const { netns, address } = options;
    const running = start(
      'member-host',
      {
        ...common,
        POOL_ID: pool,
        HOST_NAME: name,
        HOST_ADDRESS: `${name}.test`,
        PORT: String(port),
        HOST: netns ? '0.0.0.0' : '127.0.0.1',
        STATE_DIR: stateDir,
        // An ovs host manages its resolver file: its own, never the machine's.
        RESOLV_CONF: join(stateDir, 'resolv.conf'),
        TEST_HOOKS: 'true',
        REPORT_INTERVAL_MS: '1000',
        ...env,
      },
      { netns },
    );
    const base = `http://${address ?? '127.0.0.1'}:${port}`;
    const host: MemberHost = {
      name,
      base,
      stateDir,
      running,
      status: async () => (await fetch(`${base}/status`)).json(),
      stop: async () => {
        running.child.kill('SIGTERM');
        const code = await exitCodeWithin(running, 10_000);
        if (code !== 0) throw new Error(`${name} exited with ${code}\n${running.output()}`);
      },
      kill: () => running.child.kill('SIGKILL'),
    };
    if (options.healthy ?? true) await waitForHealthy(base, running, 30_000);
    else
      await until(
        () =>
          host.status().then(
            () => true,
            () => false,
          ),
        `${name} to answer`,
      );
    hosts.set(name, host);
    return host;
  };

  /** The pool's events in the log (up to a version), as stored, in version order. */
  const events = async (upTo = Number.MAX_SAFE_INTEGER) => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{
        type: string;
        version: number;
        schemaVersion: number;
        data: Json;
      }>(
        `SELECT event_type AS type, stream_version::int AS version,
                schema_version AS "schemaVersion", data FROM es_events
          WHERE stream_id = $1 AND stream_version <= $2 ORDER BY stream_version`,
        [`pool:${pool}`, upTo],
      );
      return rows;
    } finally {
      await client.end();
    }
  };

  /** The pool's stream from the log (up to a version), folded: what hosts must converge to. */
  const logState = async (upTo = Number.MAX_SAFE_INTEGER) => {
    const rows = await events(upTo);
    const upcast = rows.map((r) =>
      upcastPoolEvent({ type: r.type, schemaVersion: r.schemaVersion, data: r.data }),
    );
    return { version: rows.length, state: replayPool(upcast) };
  };

  /** Waits until `host` reports (in /status) the log's version and the log's digest for it. */
  const converged = async (host: MemberHost, timeoutMs = 30_000) => {
    const { version, state } = await logState();
    const digest = hostDigest(state, host.name);
    await until(
      async () => {
        const s = await host.status();
        return s.applied?.version === version && s.applied?.digest === digest;
      },
      `${host.name} at version ${version}`,
      timeoutMs,
    );
    return { version, digest };
  };

  /** Every report a host published so far, oldest first. */
  const reports = async (host: string): Promise<HostReport[]> => {
    const consumer = await nats.js.consumers.get(nats.reportsStream, {
      filter_subjects: `${nats.root}.${pool}.hosts.${host}.reports`,
      deliver_policy: DeliverPolicy.All,
    });
    const pending = (await consumer.info(true)).num_pending;
    const out: HostReport[] = [];
    if (pending > 0) {
      const batch = await consumer.fetch({ max_messages: pending, expires: 2000 });
      for await (const m of batch) out.push(m.json<HostReport>());
    }
    await consumer.delete().catch(() => undefined);
    return out;
  };

  return {
    db,
    nats,
    hosts,
    command,
    ok,
    startHost,
    startMaster,
    /** The pool master's REST base URL (changes when the master is restarted). */
    masterBase: (): string => {
      if (!master) throw new Error('the pool master is not running');
      return master.base;
    },
    stopMaster: async () => {
      master?.running.child.kill('SIGTERM');
      if (master) await exitCodeWithin(master.running, 10_000);
      master = undefined;
    },
    events,
    logState,
    converged,
    reports,
    close: async () => {
      killStarted();
      await nats.close();
      await db.drop();
      await rm(stateRoot, { recursive: true, force: true });
    },
  };
}

export type TestPool = Awaited<ReturnType<typeof startPool>>;

export async function until(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until every host started in `pool` says it is a member. */
export async function allJoined(pool: { hosts: Map<string, MemberHost> }): Promise<void> {
  for (const host of pool.hosts.values()) {
    await until(async () => (await host.status()).member === true, `${host.name} to join`);
  }
}

/** The join data a test host would send, for pools whose hosts are played by the test. */
export const pifs = (mac: string) => [
  { device: 'eth0', mac, mtu: 1500, speedMbps: 1000, carrier: true },
];

/**
 * An external network on `eth0` with `vlan`, and on it one VIF (device 0) per VM of `vms`
 * (VM id → its VIF's id, MAC and address), every VM halted.
 */
export async function vlanWithVms(
  p: TestPool,
  network: { networkId: string; vlan: number },
  vms: Record<string, { vifId: string; mac: string; ipv4: string; portSecurity?: boolean }>,
): Promise<void> {
  const { networkId, vlan } = network;
  await p.ok('CreateNetwork', {
    ...{ networkId, name: `n${vlan}`, purpose: 'vm', kind: 'external', device: 'eth0', vlan },
  });
  for (const [vmId, { vifId, mac, ipv4, portSecurity }] of Object.entries(vms)) {
    await p.ok('CreateVm', { vmId, name: vmId });
    const security = portSecurity === undefined ? {} : { portSecurity };
    await p.ok('CreateVif', { vifId, vmId, device: 0, networkId, mac, ipv4, ...security });
  }
}
