/**
 * The NATS users of `deploy/nats/nats.conf` on a real nats-server of the suite's own (a wrapper
 * config includes the real one and moves it to free ports and a temp store): each service runs
 * under its own user, and what DESIGN §4 forbids is refused by the server. People's users have
 * REST's roles: the server keeps each to its own role and name in the command subject, the
 * master to the commands that role may run, and the log records the user.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { subjects, type CommandReply } from '@pool/contracts';
import { type Role } from '@pool/platform';
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
  'admin',
  'operator',
  'readonly',
] as const;
type User = (typeof USERS)[number];
/** The role each user sends its commands as (deploy/nats/nats.conf lets it no other). */
const ROLE_OF: Record<User, Role> = {
  master: 'admin',
  projection: 'admin',
  'host-1': 'admin',
  'host-2': 'admin',
  'host-3': 'admin',
  'hypervisor-1': 'admin',
  admin: 'admin',
  operator: 'operator',
  readonly: 'read-only',
};
interface Connection {
  nc: NatsConnection;
  user: User;
  errors: { name: string; operation?: string; subject?: string }[];
}
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
  ADMIN_NATS_PASSWORD: PASSWORDS.admin,
  OPERATOR_NATS_PASSWORD: PASSWORDS.operator,
  READONLY_NATS_PASSWORD: PASSWORDS.readonly,
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
  const connectAs = async (user: User, password = PASSWORDS[user]): Promise<Connection> => {
    const nc = await connect({ servers: server.url, user, pass: password, name: `test-${user}` });
    connections.push(nc);
    const errors: Connection['errors'] = [];
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
    return { nc, errors, user };
  };

  /** A command from `as`, under `role` (its own as nats.conf names it unless told). */
  const command = async (
    as: Connection,
    type: string,
    data: unknown,
    extra: object = {},
    role = ROLE_OF[as.user],
  ) => {
    const msg = await as.nc.request(
      subjects().command(POOL, type, { role, user: as.user }),
      JSON.stringify({ data, ...extra }),
      { timeout: 60_000 },
    );
    return msg.json<CommandReply>();
  };
  const ok = async (as: Connection, type: string, data: unknown, extra: object = {}) => {
    const reply = await command(as, type, data, extra);
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

  const events = async () => {
    const page = (await (await fetch(`${master.base}/pools/${POOL}/events?limit=1000`)).json()) as {
      events: { type: string; metadata: { actor: string } }[];
    };
    return page.events;
  };
  const eventTypes = async (): Promise<string[]> => (await events()).map((e) => e.type);

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
    const admin = await connectAs('admin');
    const operator = await connectAs('operator');
    await ok(admin, 'CreatePool', { poolId: POOL, name: 'permissions' });
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
    await ok(admin, 'CreateNetwork', {
      networkId: 'net-1',
      name: 'private',
      purpose: 'vm',
      kind: 'private',
    });
    // VM work is the operator's, as over REST.
    await ok(operator, 'CreateVm', { vmId: 'vm-1', name: 'web' });
    await ok(operator, 'CreateVif', {
      vifId: 'vif-1',
      vmId: 'vm-1',
      device: 0,
      networkId: 'net-1',
    });
    const started = await ok(
      operator,
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
    await ok(operator, 'RequestMigration', {
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
    // Each event is recorded as the NATS user whose subject carried its command.
    const actors = new Map<string, Set<string>>();
    for (const e of await events()) {
      actors.set(e.type, (actors.get(e.type) ?? new Set()).add(e.metadata.actor));
    }
    const byType = Object.fromEntries([...actors].map(([type, who]) => [type, [...who].sort()]));
    expect(
      Object.values(byType)
        .flat()
        .filter((actor) => !actor.startsWith('nats:')),
    ).toEqual([]);
    expect(byType).toMatchObject({
      PoolCreated: ['nats:admin'],
      HostJoined: ['nats:host-1', 'nats:host-2'],
      NetworkCreated: ['nats:admin'],
      VmCreated: ['nats:operator'],
      VifCreated: ['nats:operator'],
      VmStarted: ['nats:operator'],
      MigrationRequested: ['nats:operator'],
      MigrationPrepared: ['nats:projection'],
      MigrationActivated: ['nats:projection'],
      MigrationCompleted: ['nats:projection'],
    });
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
    for (const subject of [
      subjects().command(POOL, 'CreateVm', { role: 'admin', user: 'host-1' }),
      subjects().command(POOL, 'JoinHost', { role: 'admin', user: 'host-2' }),
      `poolnet.${POOL}.cmd.JoinHost`,
      // The hypervisor hook's commands: only under role host and its own name, and no others.
      subjects().command(POOL, 'StartVm', { role: 'host', user: 'host-2' }),
      subjects().command(POOL, 'StartVm', { role: 'admin', user: 'host-1' }),
      subjects().command(POOL, 'CreateVm', { role: 'host', user: 'host-1' }),
      // The network watchdog's rollback: the same, as the host itself.
      subjects().command(POOL, 'RecordNetworkRollback', { role: 'host', user: 'host-2' }),
      subjects().command(POOL, 'RecordNetworkRollback', { role: 'admin', user: 'host-1' }),
    ]) {
      await expect(nc.request(subject, '{}', { timeout: 5_000 }), subject).rejects.toThrow(
        /Permissions Violation for Publish/,
      );
    }
    // Its own host subject reaches the master, which holds it to this host's own id.
    const own = await nc.request(
      subjects().command(POOL, 'StartVm', { role: 'host', user: 'host-1' }),
      JSON.stringify({ data: { vmId: 'nowhere', hostId: 'host-2' } }),
      { timeout: 10_000 },
    );
    expect(own.json()).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    // Nor may it put another host on hold.
    const rollback = await nc.request(
      subjects().command(POOL, 'RecordNetworkRollback', { role: 'host', user: 'host-1' }),
      JSON.stringify({
        data: { hostId: 'host-2', refusedVersion: 5, heldVersion: 4, reason: 'cut off' },
      }),
      { timeout: 10_000 },
    );
    expect(rollback.json()).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
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

  it('lets admin, operator and readonly read events, none publish them', async () => {
    for (const user of ['admin', 'operator', 'readonly'] as const) {
      const { nc, errors } = await connectAs(user);
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
      expect(types, user).toEqual(['PoolCreated']);
      await consumer.delete();
    }
  });

  describe("people's users have REST's roles", () => {
    const network = { networkId: 'net-x', name: 'x', purpose: 'vm', kind: 'private' };
    /** The request fails at once with the server's refusal: nothing reaches the master. */
    const refusedByServer = async (as: Connection, type: string, role: Role, user = as.user) => {
      const subject = subjects().command(POOL, type, { role, user });
      await expect(
        as.nc.request(subject, JSON.stringify({ data: network }), { timeout: 5_000 }),
        `${as.user} on ${subject}`,
      ).rejects.toThrow(`Permissions Violation for Publish to "${subject}"`);
    };

    it('keeps an operator from admin commands: the server on the admin subject, the master on its own', async () => {
      const operator = await connectAs('operator');
      const before = (await events()).length;
      // Under another role or name the server refuses the publish.
      await refusedByServer(operator, 'CreateNetwork', 'admin');
      await refusedByServer(operator, 'CreateNetwork', 'admin', 'admin');
      await refusedByServer(operator, 'CreateNetwork', 'operator', 'admin');
      // Under its own, the master holds it to REST's table: 403 FORBIDDEN, as REST answers.
      expect(await command(operator, 'CreateNetwork', network)).toEqual({
        ok: false,
        error: {
          status: 403,
          code: 'FORBIDDEN',
          message: 'This needs the admin role or above; NATS user operator has operator.',
        },
      });
      expect((await events()).length).toBe(before);
      // What REST lets an operator do, it may.
      expect(await command(operator, 'CreateVm', { vmId: 'vm-op', name: 'op' })).toMatchObject({
        ok: true,
      });
      expect((await events()).at(-1)).toMatchObject({
        type: 'VmCreated',
        metadata: { actor: 'nats:operator' },
      });
    });

    it('lets readonly send no command at all, under any role', async () => {
      const readonly = await connectAs('readonly');
      const before = (await events()).length;
      for (const role of ['read-only', 'operator', 'admin'] as const) {
        await refusedByServer(readonly, 'CreateVm', role);
      }
      expect((await events()).length).toBe(before);
    });

    it('lets admin send an admin command, recorded as nats:admin', async () => {
      const admin = await connectAs('admin');
      await refusedByServer(admin, 'CreateNetwork', 'admin', 'operator');
      expect(await command(admin, 'CreateNetwork', network)).toMatchObject({ ok: true });
      expect((await events()).at(-1)).toMatchObject({
        type: 'NetworkCreated',
        metadata: { actor: 'nats:admin' },
      });
    });

    it('keeps the coordinator to its four commands', async () => {
      const projection = await connectAs('projection');
      await refusedByServer(projection, 'CreateNetwork', 'admin');
      await refusedByServer(projection, 'StartVm', 'admin');
    });
  });

  it('refuses a user with another user’s password', async () => {
    await expect(
      connect({ servers: server.url, user: 'host-1', pass: PASSWORDS['host-2'] }),
    ).rejects.toThrow(/Authorization Violation/);
    await expect(connect({ servers: server.url })).rejects.toThrow(/Authorization Violation/);
  });
});
