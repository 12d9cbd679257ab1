/**
 * Bearer tokens with roles on the built pool master (REST and gRPC) and projection, as a
 * deployment runs them: an admin token from AUTH_TOKENS, operator and read-only tokens from
 * AUTH_TOKENS_FILE. Each role meets each kind of endpoint, and each process's own log output
 * is searched for tokens, and the projection's read API checked. A role × transport table runs
 * every command as every role on REST, gRPC and NATS (the role in the command's subject; that
 * only its own user may publish there is nats-permissions.e2e-spec's).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { BATCH_TYPES, subjects, type CommandReply } from '@pool/contracts';
import { grants, ROLES, type Role } from '@pool/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMAND_ROLES, roleForCommand } from '../../apps/pool-master/src/api/command-roles.js';
import { createTestDatabase } from '../support/databases.js';
import { createTestNats } from '../support/nats.js';
import { startPoolMasterProcess, type PoolMasterReplica } from '../support/pool-master-process.js';
import {
  freePort,
  killStarted,
  start,
  waitForHealthy,
  type Running,
} from '../support/processes.js';
import { natsUrl } from '../support/services.js';
import { connectPoolMaster, poolMasterGrpcClient } from './support/pool-master-grpc-client.js';

const token = () => randomBytes(24).toString('base64url');
const TOKENS = { admin: token(), operator: token(), 'read-only': token() } as const;
type Who = keyof typeof TOKENS | 'nobody';

interface Answer {
  status: number;
  body: { code?: string; message?: string } & Record<string, unknown>;
  challenge: string | null;
}

async function call(
  base: string,
  method: string,
  path: string,
  who: Who,
  body?: unknown,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (who !== 'nobody') headers.authorization = `Bearer ${TOKENS[who]}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text.startsWith('{') ? JSON.parse(text) : {}) as Answer['body'],
    challenge: response.headers.get('www-authenticate'),
  };
}

const pif = (device: string, n: number) => ({
  device,
  mac: `52:54:00:aa:00:0${n}`,
  mtu: 1500,
  speedMbps: 10_000,
  carrier: true,
});
const host = (hostId: string, n: number) => ({
  hostId,
  name: hostId,
  address: `192.0.2.${n}`,
  pifs: [pif('eth0', n)],
  managementDevice: 'eth0',
});

describe('access control with bearer tokens', () => {
  const POOL = `ac-${randomUUID().slice(0, 8)}`;
  let dir: string;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let nats: Awaited<ReturnType<typeof createTestNats>>;
  let master: PoolMasterReplica;
  let grpcAddress: string;
  const as = (who: Who, method: string, path: string, body?: unknown) =>
    call(master.base, method, path, who, body);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'poolnet-access-'));
    const file = join(dir, 'tokens');
    await writeFile(
      file,
      [
        '# role token name',
        `operator ${TOKENS.operator} scheduler`,
        `read-only ${TOKENS['read-only']} dashboard`,
      ].join('\n'),
    );
    db = await createTestDatabase();
    nats = await createTestNats();
    grpcAddress = `127.0.0.1:${await freePort()}`;
    master = await startPoolMasterProcess(db.url, nats, {
      AUTH_TOKENS: `admin:${TOKENS.admin}:ops`,
      AUTH_TOKENS_FILE: file,
      GRPC_URL: grpcAddress,
      // As much output as the service writes, to search for tokens.
      LOG_LEVEL: 'trace',
    });
  });

  afterAll(async () => {
    killStarted();
    await nats?.close();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps /health, /metrics and /docs open', async () => {
    expect((await as('nobody', 'GET', '/health')).status).toBe(200);
    expect((await as('nobody', 'GET', '/metrics')).status).toBe(200);
    const docs = await as('nobody', 'GET', '/docs-json');
    expect(docs.status).toBe(200);
    expect(docs.body).toMatchObject({
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    });
  });

  it('answers 401 with a Bearer challenge to a missing, malformed or unknown token', async () => {
    for (const [method, path] of [
      ['GET', `/pools/${POOL}/events`],
      ['POST', '/pools'],
    ] as const) {
      const missing = await as('nobody', method, path, method === 'POST' ? {} : undefined);
      expect(missing).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
      expect(missing.challenge).toBe('Bearer realm="poolnet"');
      expect(missing.body.message).toMatch(/bearer token/);

      for (const authorization of [
        `Basic ${TOKENS.admin}`,
        TOKENS.admin,
        `Bearer ${token()}`,
        `Bearer ${TOKENS.admin.slice(1)}`,
      ]) {
        const response = await fetch(`${master.base}${path}`, {
          method,
          headers: { authorization },
        });
        expect(response.status, authorization.slice(0, 7)).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe(
          'Bearer realm="poolnet", error="invalid_token"',
        );
        expect(await response.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
      }
    }
  });

  it('lets only admin configure the pool, hosts and networks', async () => {
    for (const who of ['operator', 'read-only', 'nobody'] as const) {
      expect((await as(who, 'POST', '/pools', { poolId: POOL, name: 'lab' })).status).toBe(
        who === 'nobody' ? 401 : 403,
      );
    }
    expect((await as('admin', 'POST', '/pools', { poolId: POOL, name: 'lab' })).status).toBe(201);

    const steps: [string, string, unknown][] = [
      ['POST', `/pools/${POOL}/hosts`, host('host-a', 1)],
      ['POST', `/pools/${POOL}/hosts`, host('host-b', 2)],
      ['PUT', `/pools/${POOL}/hosts/host-a/pifs/eth0`, { mtu: 9000 }],
      ['POST', `/pools/${POOL}/hosts/host-b/disable`, {}],
      ['POST', `/pools/${POOL}/hosts/host-b/enable`, {}],
      [
        'POST',
        `/pools/${POOL}/networks`,
        { networkId: 'net-priv', name: 'private', purpose: 'vm', kind: 'private' },
      ],
      ['PATCH', `/pools/${POOL}/networks/net-priv`, { mtu: 1400 }],
    ];
    for (const [method, path, body] of steps) {
      for (const who of ['operator', 'read-only'] as const) {
        const refused = await as(who, method, path, body);
        expect(refused.status, `${who} ${method} ${path}`).toBe(403);
        expect(refused.body).toMatchObject({ statusCode: 403, code: 'FORBIDDEN' });
        expect(refused.body.message).toBe(
          `This needs the admin role or above; the token has ${who}.`,
        );
        expect(refused.challenge).toBeNull();
      }
      const done = await as('admin', method, path, body);
      expect(done.status, `admin ${method} ${path}: ${JSON.stringify(done.body)}`).toBeLessThan(
        300,
      );
    }
  });

  it('lets operators and admins run VMs, their VIFs and migrations, not read-only', async () => {
    const steps: [string, string, unknown, number][] = [
      ['POST', `/pools/${POOL}/vms`, { vmId: 'vm-1', name: 'web' }, 201],
      ['PATCH', `/pools/${POOL}/vms/vm-1`, { name: 'web-1' }, 200],
      [
        'POST',
        `/pools/${POOL}/vms/vm-1/vifs`,
        { vifId: 'vif-1', device: 0, networkId: 'net-priv' },
        201,
      ],
      ['PATCH', `/pools/${POOL}/vms/vm-1/vifs/vif-1`, { portSecurity: true }, 200],
      ['POST', `/pools/${POOL}/vms/vm-1/start`, { hostId: 'host-a' }, 200],
      ['POST', `/pools/${POOL}/vms/vm-1/migrate`, { toHostId: 'host-b' }, 201],
    ];
    for (const [method, path, body, status] of steps) {
      const refused = await as('read-only', method, path, body);
      expect(refused.status, `read-only ${method} ${path}`).toBe(403);
      expect(refused.body.code).toBe('FORBIDDEN');
      expect((await as('nobody', method, path, body)).status).toBe(401);
      const done = await as('operator', method, path, body);
      expect(done.status, `operator ${method} ${path}: ${JSON.stringify(done.body)}`).toBe(status);
    }
    // The same routes for an admin, on a VM of its own.
    expect(
      (await as('admin', 'POST', `/pools/${POOL}/vms`, { vmId: 'vm-2', name: 'db' })).status,
    ).toBe(201);
    expect((await as('admin', 'DELETE', `/pools/${POOL}/vms/vm-2`)).status).toBe(200);
    // An operator's VM still runs on the pool the admin configures: ACLs stay the admin's.
    const acl = {
      scope: { kind: 'network', networkId: 'net-priv' },
      direction: 'from-vm',
      priority: 100,
      match: { protocol: 'tcp', cidr: '10.0.0.0/8', portFrom: 22, portTo: 22 },
      action: 'allow',
    };
    expect((await as('operator', 'POST', `/pools/${POOL}/acls`, acl)).status).toBe(403);
    expect((await as('admin', 'POST', `/pools/${POOL}/acls`, acl)).status).toBe(201);
  });

  it('refuses the role before looking at the request', async () => {
    const bad = await as('read-only', 'POST', `/pools/${POOL}/vms`, { vmId: 'bad id', colour: 1 });
    expect(bad.status).toBe(403);
    const unknown = await as('operator', 'DELETE', `/pools/no-such-pool/networks/x`);
    expect(unknown.status).toBe(403);
  });

  it('lets every role read the log', async () => {
    for (const who of ['admin', 'operator', 'read-only'] as const) {
      const page = await as(who, 'GET', `/pools/${POOL}/events?limit=2`);
      expect(page.status, who).toBe(200);
      expect(page.body).toMatchObject({ pool: POOL, next: 2 });
    }
    expect((await as('nobody', 'GET', `/pools/${POOL}/events`)).status).toBe(401);
  });

  it("records the token's name as the actor of each event it wrote", async () => {
    const page = await as('admin', 'GET', `/pools/${POOL}/events?limit=500`);
    const actors = new Map<string, string>();
    // The first of each type: the pool by the admin, vm-1 by the operator.
    const events = page.body.events as { type: string; metadata: { actor: string } }[];
    for (const e of events) if (!actors.has(e.type)) actors.set(e.type, e.metadata.actor);
    expect(actors.get('PoolCreated')).toBe('ops');
    expect(actors.get('VmCreated')).toBe('scheduler');
  });

  describe('over gRPC, with the token in the authorization metadata', () => {
    let client: grpc.Client & {
      Execute(
        request: object,
        metadata: grpc.Metadata,
        callback: (error: grpc.ServiceError | null, reply: unknown) => void,
      ): void;
      FollowEvents(request: object, metadata: grpc.Metadata): grpc.ClientReadableStream<unknown>;
    };
    const metadataOf = (who: Who) => {
      const metadata = new grpc.Metadata();
      if (who !== 'nobody') metadata.set('authorization', `Bearer ${TOKENS[who]}`);
      return metadata;
    };
    const execute = (who: Who, type: string, data: unknown) =>
      new Promise<{ code: number; poolnetCode?: unknown }>((resolve) =>
        client.Execute(
          { pool: POOL, type, dataJson: JSON.stringify(data) },
          metadataOf(who),
          (error) =>
            resolve(
              error
                ? { code: error.code, poolnetCode: error.metadata.get('poolnet-code')[0] }
                : { code: grpc.status.OK },
            ),
        ),
      );
    /** The first event FollowEvents sends, or the status it ends with. */
    const follow = (who: Who) =>
      new Promise<{ version?: number; code?: number }>((resolve) => {
        const stream = client.FollowEvents({ pool: POOL, afterVersion: 0 }, metadataOf(who));
        stream.on('data', (event: { version: number }) => {
          resolve({ version: event.version });
          stream.cancel();
        });
        stream.on('error', (error: grpc.ServiceError) => resolve({ code: error.code }));
      });

    beforeAll(() => {
      client = connectPoolMaster<typeof client>(grpcAddress).client;
    });

    afterAll(() => client?.close());

    it('refuses a call without a token as UNAUTHENTICATED', async () => {
      expect(await execute('nobody', 'CreateVm', { vmId: 'vm-g0', name: 'g' })).toEqual({
        code: grpc.status.UNAUTHENTICATED,
        poolnetCode: 'UNAUTHENTICATED',
      });
      expect(await follow('nobody')).toEqual({ code: grpc.status.UNAUTHENTICATED });
    });

    it('gives each command the role REST gives it', async () => {
      const denied = { code: grpc.status.PERMISSION_DENIED, poolnetCode: 'FORBIDDEN' };
      expect(await execute('read-only', 'CreateVm', { vmId: 'vm-g1', name: 'g' })).toEqual(denied);
      expect(await execute('operator', 'CreateVm', { vmId: 'vm-g1', name: 'g' })).toEqual({
        code: grpc.status.OK,
      });
      const network = { networkId: 'net-g', name: 'g', purpose: 'vm', kind: 'private' };
      expect(await execute('operator', 'CreateNetwork', network)).toEqual(denied);
      expect(await execute('admin', 'CreateNetwork', network)).toEqual({ code: grpc.status.OK });
      // An unknown command needs admin before it is refused as unknown.
      expect(await execute('operator', 'FormatDisk', {})).toEqual(denied);
      expect((await execute('admin', 'FormatDisk', {})).poolnetCode).toBe('UNKNOWN_COMMAND');
    });

    it('lets a read-only token follow the events', async () => {
      expect(await follow('read-only')).toEqual({ version: 1 });
    });
  });

  describe('role × transport: each role gets on REST, gRPC and NATS what COMMAND_ROLES allows', () => {
    // A pool never created: every command is refused one way or another, nothing is written.
    const NOWHERE = `none-${randomUUID().slice(0, 8)}`;
    const UNKNOWN = 'FormatDisk';
    /**
     * The coordinator's saga steps (DESIGN §5) and a host's report of its own network rollback:
     * NATS and gRPC only, no REST route.
     */
    const NO_REST_ROUTE = [
      'AbortMigration',
      'ActivateMigration',
      'CompleteMigration',
      'PrepareMigration',
      'RecordNetworkRollback',
    ];

    /**
     * The answer (a code, or OK) of each command for each role, and the table REST's roles
     * make of it: a role below the command's gets FORBIDDEN, any other the admin's answer
     * (the role decides nothing more). The admin is never refused for its role.
     */
    async function compare(
      commands: { name: string; needed: Role }[],
      send: (name: string, role: Role) => Promise<string>,
    ) {
      const actual: Record<string, Record<string, string>> = {};
      const allowed: typeof actual = {};
      for (const { name, needed } of commands) {
        const answers = Object.fromEntries(
          await Promise.all(ROLES.map(async (role) => [role, await send(name, role)] as const)),
        ) as Record<Role, string>;
        actual[name] = answers;
        allowed[name] = Object.fromEntries(
          ROLES.map((role) => [role, grants(role, needed) ? answers.admin : 'FORBIDDEN']),
        );
        expect(['FORBIDDEN', 'UNAUTHENTICATED', 'OK'], `admin ${name}`).not.toContain(
          answers.admin,
        );
      }
      expect(actual).toEqual(allowed);
      // The table holds each kind of refusal: a role that passes and one that does not.
      const cells = Object.values(actual).flatMap((row) => Object.values(row));
      expect(cells.filter((c) => c === 'FORBIDDEN').length).toBeGreaterThan(commands.length);
      expect(cells.filter((c) => c !== 'FORBIDDEN').length).toBeGreaterThan(commands.length);
    }

    const viaGrpcAndNats = [...Object.keys(COMMAND_ROLES), ...BATCH_TYPES, UNKNOWN].map((name) => ({
      name,
      needed: roleForCommand(name),
    }));

    afterAll(async () => {
      // Nothing any role sent wrote anything.
      expect((await as('admin', 'GET', `/pools/${NOWHERE}/events`)).body.code).toBe(
        'POOL_NOT_FOUND',
      );
    });

    it('REST: every command route of the API description', async () => {
      const docs = await as('nobody', 'GET', '/docs-json');
      const paths = docs.body.paths as Record<string, Record<string, { description?: string }>>;
      const routes = Object.entries(paths).flatMap(([path, operations]) =>
        Object.entries(operations).flatMap(([method, operation]) => {
          const runs = /^Runs ([\w +]+)\./.exec(operation.description ?? '')?.[1];
          if (!runs) return [];
          const names = runs.split(' + ');
          const needed = names
            .map((name) => roleForCommand(name))
            .reduce((a, b) => (grants(a, b) ? a : b));
          const url = path.replace('{pool}', NOWHERE).replace(/\{\w+\}/g, 'x-1');
          return [{ name: `${method.toUpperCase()} ${path}`, needed, url, method, names }];
        }),
      );
      const routed = new Set(routes.flatMap((r) => r.names));
      expect(
        Object.keys(COMMAND_ROLES)
          .filter((name) => !routed.has(name))
          .sort(),
      ).toEqual(NO_REST_ROUTE);
      await compare(routes, async (name, role) => {
        const route = routes.find((r) => r.name === name)!;
        const withBody = route.method !== 'delete' && route.method !== 'get';
        const answer = await as(
          role,
          route.method.toUpperCase(),
          route.url,
          withBody ? {} : undefined,
        );
        return answer.status < 300 ? 'OK' : String(answer.body.code);
      });
    });

    it('gRPC: Execute of every command, and an unknown one', async () => {
      const { client } = poolMasterGrpcClient(grpcAddress);
      try {
        await compare(viaGrpcAndNats, (type, role) => {
          const metadata = new grpc.Metadata();
          metadata.set('authorization', `Bearer ${TOKENS[role]}`);
          return new Promise((resolve) =>
            client.Execute({ pool: NOWHERE, type, dataJson: '{}' }, metadata, (error) =>
              resolve(error ? String(error.metadata.get('poolnet-code')[0]) : 'OK'),
            ),
          );
        });
      } finally {
        client.close();
      }
    });

    it("NATS: every command on each role's subject, and an unknown one", async () => {
      await compare(viaGrpcAndNats, async (type, role) => {
        const subject = subjects(nats.root).command(NOWHERE, type, { role, user: 'table' });
        const msg = await nats.nc.request(subject, '{"data":{}}', { timeout: 10_000 });
        const reply = msg.json<CommandReply>();
        return reply.ok ? 'OK' : reply.error.code;
      });
    });
  });

  it('never writes a token to its log, and says how many it took', () => {
    const output = master.running.output();
    expect(output).toContain('bearer tokens: 3 (read-only 1, operator 1, admin 1)');
    expect(output).not.toContain('API is open');
    for (const value of Object.values(TOKENS)) {
      expect(output).not.toContain(value);
      expect(output).not.toContain(value.slice(0, 12));
    }
  });
});

describe('without any token configured', () => {
  it('runs open and warns once at boot', async () => {
    const db = await createTestDatabase();
    const nats = await createTestNats();
    try {
      const master = await startPoolMasterProcess(db.url, nats);
      const pool = `open-${randomUUID().slice(0, 8)}`;
      expect(
        (await call(master.base, 'POST', '/pools', 'nobody', { poolId: pool, name: 'x' })).status,
      ).toBe(201);
      expect((await call(master.base, 'GET', `/pools/${pool}/events`, 'nobody')).status).toBe(200);
      const warnings = master.running
        .output()
        .split('\n')
        .filter((line) => line.includes('no bearer token configured'));
      expect(warnings).toHaveLength(1);
      expect(JSON.parse(warnings[0]!)).toMatchObject({ level: 'warn', context: 'Auth' });
    } finally {
      killStarted();
      await nats.close();
      await db.drop();
    }
  });

  it('refuses to boot on a bad token, naming where without the value', async () => {
    const db = await createTestDatabase();
    const nats = await createTestNats();
    const secret = token();
    try {
      const failed = await startPoolMasterProcess(db.url, nats, {
        AUTH_TOKENS: `admin:${secret},superuser:${token()}`,
      }).then(
        () => 'booted',
        (error: Error) => error.message,
      );
      expect(failed).toContain(
        'AUTH_TOKENS entry 2: the role must be admin, operator or read-only',
      );
      expect(failed).not.toContain(secret);
    } finally {
      killStarted();
      await nats.close();
      await db.drop();
    }
  });
});

describe('the projection with bearer tokens', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let nats: Awaited<ReturnType<typeof createTestNats>>;
  let base: string;
  let projection: Running;

  beforeAll(async () => {
    db = await createTestDatabase();
    nats = await createTestNats();
    const port = await freePort();
    projection = start('projection', {
      DATABASE_URL: db.url,
      NATS_URL: natsUrl(),
      SUBJECT_ROOT: nats.root,
      REPORTS_STREAM: nats.reportsStream,
      PORT: String(port),
      HOST: '127.0.0.1',
      MIGRATION_COORDINATOR: 'false',
      AUTH_TOKENS: Object.entries(TOKENS)
        .map(([role, value]) => `${role}:${value}`)
        .join(','),
      LOG_LEVEL: 'trace',
    });
    base = `http://127.0.0.1:${port}`;
    await waitForHealthy(base, projection, 60_000);
  });

  afterAll(async () => {
    killStarted();
    await nats?.close();
    await db?.drop();
  });

  it('keeps the dashboard page, /health and /metrics open: they hold no pool data', async () => {
    for (const path of ['/', '/health', '/metrics']) {
      expect((await call(base, 'GET', path, 'nobody')).status, path).toBe(200);
    }
  });

  it('lets every role read the API, nobody without a token', async () => {
    for (const who of ['admin', 'operator', 'read-only'] as const) {
      expect((await call(base, 'GET', '/api/pools', who)).status, who).toBe(200);
    }
    const refused = await call(base, 'GET', '/api/pools', 'nobody');
    expect(refused).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(refused.challenge).toBe('Bearer realm="poolnet"');
    expect((await call(base, 'GET', '/api/pools', 'nobody')).status).toBe(401);
  });

  it('never writes a token to its log', () => {
    const output = projection.output();
    expect(output).toContain('bearer tokens: 3 (read-only 1, operator 1, admin 1)');
    for (const value of Object.values(TOKENS)) expect(output).not.toContain(value);
  });
});
