/**
 * The NATS users of `deploy/nats/nats.conf` on a real nats-server of the suite's own (a wrapper
 * config includes the real one and moves it to free ports and a temp store): each service runs
 * under its own user, and what DESIGN §4 forbids is refused by the server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { type CommandReply } from '@pool/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsSnapshotSource } from '../../apps/member-host/src/agent/snapshot-client.js';
import { createTestDatabase } from '../support/databases.js';
import {
  freePort,
  killStarted,
  ROOT,
  start,
  waitForHealthy,
  type Running,
} from '../support/processes.js';

const NATS_SERVER = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
const CONFIG = join(ROOT, 'deploy/nats/nats.conf');

const USERS = [
  'master',
  'projection',
  'host-1',
  'host-2',
  'host-3',
  'hypervisor-1',
  'client',
] as const;
type User = (typeof USERS)[number];
const PASSWORDS = Object.fromEntries(
  // A letter first: nats.conf reads them from the environment as config values (see there).
  USERS.map((user) => [user, `p${randomBytes(12).toString('hex')}`]),
) as Record<User, string>;
/** The variables nats.conf reads the passwords from. */
const PASSWORD_ENV = {
  MASTER_NATS_PASSWORD: PASSWORDS.master,
  PROJECTION_NATS_PASSWORD: PASSWORDS.projection,
  HOST1_NATS_PASSWORD: PASSWORDS['host-1'],
  HOST2_NATS_PASSWORD: PASSWORDS['host-2'],
  HOST3_NATS_PASSWORD: PASSWORDS['host-3'],
  HYPERVISOR1_NATS_PASSWORD: PASSWORDS['hypervisor-1'],
  CLIENT_NATS_PASSWORD: PASSWORDS.client,
};

interface NatsServer {
  url: string;
  log: () => string;
  stop: () => Promise<void>;
}

async function startNatsServer(dir: string): Promise<NatsServer> {
  if (!existsSync(NATS_SERVER))
    throw new Error(`no nats-server at ${NATS_SERVER} (NATS_SERVER_BIN)`);
  const port = await freePort();
  const wrapper = join(dir, 'nats.conf');
  // `include` takes a path relative to the including file; flags cannot move store_dir (2.9).
  await writeFile(
    wrapper,
    [
      `include "${relative(dir, CONFIG)}"`,
      `port: ${port}`,
      `http_port: ${await freePort()}`,
      `jetstream { store_dir: "${join(dir, 'store')}" }`,
    ].join('\n'),
  );
  const child: ChildProcess = spawn(NATS_SERVER, ['-c', wrapper], {
    env: { PATH: process.env.PATH ?? '', ...PASSWORD_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `nats://127.0.0.1:${port}`;
  for (let i = 0; !log.includes('Server is ready'); i++) {
    if (child.exitCode !== null || i > 100) throw new Error(`nats-server did not start:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    log: () => log,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Server log lines reporting a refused publish or subscription by a client named `name…`. */
const violationsOf = (log: string, name: string) =>
  log.split('\n').filter((line) => line.includes(`:${name}`) && /Violation/.test(line));

describe('NATS users and permissions (deploy/nats/nats.conf)', () => {
  const POOL = `perm-${randomUUID().slice(0, 8)}`;
  let dir: string;
  let server: NatsServer;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let master: { base: string; running: Running };
  const connections: NatsConnection[] = [];

  /** A connection as `user`; every error status the server sends it is kept. */
  const connectAs = async (user: User, password = PASSWORDS[user]) => {
    const nc = await connect({ servers: server.url, user, pass: password, name: `test-${user}` });
    connections.push(nc);
    const errors: { name: string; operation?: string; subject?: string }[] = [];
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'error') {
          const { name, operation, subject } = status.error as Error & {
            operation?: string;
            subject?: string;
          };
          errors.push({ name, operation, subject });
        }
      }
    })();
    return { nc, errors };
  };

  const command = async (nc: NatsConnection, type: string, data: unknown, extra: object = {}) => {
    const msg = await nc.request(
      `poolnet.${POOL}.cmd.${type}`,
      JSON.stringify({ data, ...extra }),
      { timeout: 60_000 },
    );
    return msg.json<CommandReply>();
  };
  const ok = async (nc: NatsConnection, type: string, data: unknown, extra: object = {}) => {
    const reply = await command(nc, type, data, extra);
    if (!reply.ok) throw new Error(`${type} refused: ${JSON.stringify(reply.error)}`);
    return reply.result;
  };

  const startHost = async (name: 'host-1' | 'host-2') => {
    const port = await freePort();
    const running = start('member-host', {
      NATS_URL: server.url,
      NATS_USER: name,
      NATS_PASSWORD: PASSWORDS[name],
      POOL_ID: POOL,
      HOST_NAME: name,
      HOST_ADDRESS: `${name}.test`,
      PORT: String(port),
      HOST: '127.0.0.1',
      STATE_DIR: join(dir, name),
      REPORT_INTERVAL_MS: '1000',
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForHealthy(base, running, 60_000);
    return { base, running };
  };

  const eventTypes = async (): Promise<string[]> => {
    const page = (await (await fetch(`${master.base}/pools/${POOL}/events?limit=1000`)).json()) as {
      events: { type: string }[];
    };
    return page.events.map((e) => e.type);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'poolnet-nats-permissions-'));
    server = await startNatsServer(dir);
    db = await createTestDatabase();
    const port = await freePort();
    await writeFile(join(dir, 'master-password'), `${PASSWORDS.master}\n`);
    const running = start('pool-master', {
      DATABASE_URL: db.url,
      NATS_URL: server.url,
      NATS_USER: 'master',
      // The password from a file, as from a Docker secret (with the newline `echo` leaves).
      NATS_PASSWORD_FILE: join(dir, 'master-password'),
      PORT: String(port),
      HOST: '127.0.0.1',
      GRPC_URL: 'off',
    });
    master = { base: `http://127.0.0.1:${port}`, running };
    await waitForHealthy(master.base, running, 60_000);
  });

  afterAll(async () => {
    for (const nc of connections) await nc.close().catch(() => undefined);
    killStarted();
    await server?.stop();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a pool with every service under its own user: hosts converge, a VM migrates', async () => {
    const { nc: client } = await connectAs('client');
    await ok(client, 'CreatePool', { poolId: POOL, name: 'permissions' });
    const projectionPort = await freePort();
    const projection = start('projection', {
      DATABASE_URL: db.url,
      NATS_URL: server.url,
      NATS_USER: 'projection',
      NATS_PASSWORD: PASSWORDS.projection,
      PORT: String(projectionPort),
      HOST: '127.0.0.1',
    });
    const hosts = await Promise.all([startHost('host-1'), startHost('host-2')]);
    await waitForHealthy(`http://127.0.0.1:${projectionPort}`, projection, 60_000);

    // Both joined on their own (JoinHost from their users), then followed through their
    // durable consumers and reported: the barrier only returns once both reports say so.
    await expect
      .poll(eventTypes, { timeout: 60_000 })
      .toEqual(expect.arrayContaining(['PoolCreated', 'HostJoined', 'HostJoined']));
    await expect
      .poll(async () => (await eventTypes()).filter((t) => t === 'HostJoined').length, {
        timeout: 60_000,
      })
      .toBe(2);
    await ok(client, 'CreateNetwork', {
      networkId: 'net-1',
      name: 'private',
      purpose: 'vm',
      kind: 'private',
    });
    await ok(client, 'CreateVm', { vmId: 'vm-1', name: 'web' });
    await ok(client, 'CreateVif', { vifId: 'vif-1', vmId: 'vm-1', device: 0, networkId: 'net-1' });
    const started = await ok(
      client,
      'StartVm',
      { vmId: 'vm-1', hostId: 'host-1' },
      { wait: 'hosts', waitTimeoutMs: 60_000 },
    );
    expect(started.hosts).toEqual({
      'host-1': expect.any(Number) as number,
      'host-2': expect.any(Number) as number,
    });
    for (const host of Object.values(started.hosts ?? {})) {
      expect(host).toBeGreaterThanOrEqual(started.version);
    }

    // The projection's coordinator (user projection) drives the migration with its commands.
    await ok(client, 'RequestMigration', {
      migrationId: 'mig-1',
      vmId: 'vm-1',
      toHostId: 'host-2',
    });
    await expect
      .poll(eventTypes, { timeout: 90_000, interval: 500 })
      .toEqual(expect.arrayContaining(['MigrationCompleted']));

    // A host behind retention asks the master for a snapshot: allowed, and answered.
    const { nc: host1 } = await connectAs('host-1');
    const snapshot = await new NatsSnapshotSource(host1, `poolnet.${POOL}.snapshot`).fetch();
    expect(snapshot.version).toBeGreaterThan(started.version);

    for (const name of ['pool-master', 'member-host', 'projection']) {
      expect(violationsOf(server.log(), name), name).toEqual([]);
    }
    for (const host of hosts) {
      expect((await fetch(`${host.base}/health`)).status).toBe(200);
    }
    for (const running of [master.running, projection, ...hosts.map((h) => h.running)]) {
      for (const password of Object.values(PASSWORDS)) {
        expect(running.output()).not.toContain(password);
      }
    }
  });

  it('keeps a member host to its own reports: no events, no other host, no stream admin', async () => {
    const { nc, errors } = await connectAs('host-1');
    const js = jetstream(nc);

    nc.publish(`poolnet.${POOL}.events`, '{}');
    nc.publish(`poolnet.${POOL}.hosts.host-2.reports`, '{}');
    nc.publish(`poolnet.${POOL}.leader`, '{}');
    // The server answers each with -ERR; the client hands it to its status listeners.
    await expect.poll(() => errors.length).toBe(3);
    expect(errors).toEqual([
      { name: 'PermissionViolationError', operation: 'publish', subject: `poolnet.${POOL}.events` },
      {
        name: 'PermissionViolationError',
        operation: 'publish',
        subject: `poolnet.${POOL}.hosts.host-2.reports`,
      },
      { name: 'PermissionViolationError', operation: 'publish', subject: `poolnet.${POOL}.leader` },
    ]);
    // Through JetStream the publish fails at once, with the server's reason.
    await expect(js.publish(`poolnet.${POOL}.events`, '{}')).rejects.toThrow(
      `Permissions Violation for Publish to "poolnet.${POOL}.events"`,
    );
    await expect(js.publish(`poolnet.${POOL}.hosts.host-3.reports`, '{}')).rejects.toThrow(
      /Permissions Violation for Publish/,
    );
    const ack = await js.publish(`poolnet.${POOL}.hosts.host-1.reports`, '{}');
    expect(ack.stream).toBe('POOLNET_REPORTS');

    // Another command than JoinHost, and the stream API beyond reading events, are refused.
    await expect(
      nc.request(`poolnet.${POOL}.cmd.CreateVm`, '{}', { timeout: 5_000 }),
    ).rejects.toThrow(/Permissions Violation for Publish/);
    const jsm = await jetstreamManager(nc);
    await expect(jsm.streams.delete('POOLNET_EVENTS')).rejects.toThrow(/Permissions Violation/);
    await expect(
      jsm.consumers.add('POOLNET_REPORTS', {
        name: 'spy',
        filter_subject: 'poolnet.*.hosts.*.reports',
      }),
    ).rejects.toThrow(/Permissions Violation/);
    // Its own kind of consumer on the events stream is fine.
    const consumer = await js.consumers.get('POOLNET_EVENTS', {
      filter_subjects: `poolnet.${POOL}.events`,
    });
    expect((await consumer.info(true)).num_pending).toBeGreaterThan(0);
    await consumer.delete();
  });

  it('lets a client send commands and read events, not publish them', async () => {
    const { nc, errors } = await connectAs('client');
    const reply = await command(nc, 'CreateVm', { vmId: 'vm-client', name: 'from a client' });
    expect(reply.ok).toBe(true);

    nc.publish(`poolnet.${POOL}.events`, '{}');
    nc.publish(`poolnet.${POOL}.hosts.host-1.reports`, '{}');
    await expect.poll(() => errors.length).toBe(2);
    expect(errors.map((e) => [e.operation, e.subject])).toEqual([
      ['publish', `poolnet.${POOL}.events`],
      ['publish', `poolnet.${POOL}.hosts.host-1.reports`],
    ]);
    await expect(jetstream(nc).publish(`poolnet.${POOL}.events`, '{}')).rejects.toThrow(
      /Permissions Violation for Publish/,
    );

    const consumer = await jetstream(nc).consumers.get('POOLNET_EVENTS', {
      filter_subjects: `poolnet.${POOL}.events`,
    });
    const batch = await consumer.fetch({ max_messages: 1, expires: 5_000 });
    const types: string[] = [];
    for await (const m of batch) types.push(m.json<{ type: string }>().type);
    expect(types).toEqual(['PoolCreated']);
    await consumer.delete();
  });

  it('refuses a user with another user’s password', async () => {
    await expect(
      connect({ servers: server.url, user: 'host-1', pass: PASSWORDS['host-2'] }),
    ).rejects.toThrow(/Authorization Violation/);
    await expect(connect({ servers: server.url })).rejects.toThrow(/Authorization Violation/);
  });
});
