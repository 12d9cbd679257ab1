/**
 * The built projection app against a database holding a scripted pool's events: every read
 * endpoint (pagination, filters, 400 and 404), host reports from JetStream into host status and
 * lag, the SSE stream delivering `host` and `change` events, OpenAPI, metrics, and the `verify`
 * and `rebuild` commands. Run `npm run build` first.
 */
import { spawn } from 'node:child_process';
import type { HostReport } from '@pool/contracts';
import { createEventStorePool, PostgresEventStore } from '@pool/event-store';
import { bridgeName, portName } from '@pool/vswitch';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  pifs,
  ScriptedPool,
  scriptFullPool,
} from '../../apps/projection/src/read-models/testing/scripted-pool.js';
import { verifyReadModels } from '../../apps/projection/src/read-models/verify-read-models.js';
import { createTestDatabase } from '../support/databases.js';
import { createTestNats } from '../support/nats.js';
import {
  freePort,
  killStarted,
  mainOf,
  ROOT,
  start,
  waitForHealthy,
  type Running,
} from '../support/processes.js';
import { natsUrl } from '../support/services.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read field by field
type Json = any;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let nats: Awaited<ReturnType<typeof createTestNats>>;
let db: pg.Pool;
let store: PostgresEventStore;
let alpha: ScriptedPool;
let betaPool: ScriptedPool;
let base: string;
let app: Running;

const get = async (path: string) => {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, body: (await response.json()) as Json };
};

async function until<T>(probe: () => Promise<T | undefined>, what: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The built `main.js <command>`: exit code and stdout. */
function command(name: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [mainOf('projection'), name], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, LOG_LEVEL: 'warn' },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

/** Server-sent events of one pool, collected as they arrive. */
async function openStream(pool: string) {
  const controller = new AbortController();
  const response = await fetch(`${base}/api/pools/${pool}/stream`, { signal: controller.signal });
  const events: { event: string; data: Json }[] = [];
  let text = '';
  const reading = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const frame = text.slice(0, end);
          text = text.slice(end + 2);
          const event = /^event: (.*)$/m.exec(frame)?.[1];
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    response,
    events,
    next: (match: (e: { event: string; data: Json }) => boolean, what: string) =>
      until(() => Promise.resolve(events.find(match)), what),
    close: async () => {
      controller.abort();
      await reading;
    },
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  nats = await createTestNats();
  db = createEventStorePool({ connectionString: database.url, max: 4 });
  store = new PostgresEventStore(db);
  alpha = new ScriptedPool('alpha');
  scriptFullPool(alpha);
  // Further addresses (VifUpdated v2): listed in the VIF's ips, IPv4 first, and in /addresses.
  alpha.run('UpdateVif', { vifId: 'vif3', extraIps: ['2001:db8::33', '192.168.0.33'] });
  await alpha.flush(store);
  const beta = (betaPool = new ScriptedPool('beta'));
  beta.run('CreatePool', { poolId: 'beta', name: 'beta' });
  for (const n of ['n1', 'n2', 'n3']) {
    beta.run('CreateNetwork', { networkId: n, name: n, purpose: 'vm', kind: 'private' });
  }
  await beta.flush(store);

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  app = start('projection', {
    DATABASE_URL: database.url,
    NATS_URL: natsUrl(),
    PORT: String(port),
    HOST: '127.0.0.1',
    SUBJECT_ROOT: nats.root,
    EVENTS_STREAM: nats.eventsStream,
    REPORTS_STREAM: nats.reportsStream,
    PROJECTION_BATCH: '13',
    MIGRATION_COORDINATOR: 'false',
  });
  await waitForHealthy(base, app);
  const result = await verifyReadModels(database.url, { catchUpTimeoutMs: 60_000 });
  expect(result.differences).toEqual([]);
});

afterAll(async () => {
  killStarted();
  await db?.end();
  await nats?.close();
  await database?.drop();
});

describe('pools', () => {
  it('lists pools a page at a time', async () => {
    const first = await get('/api/pools?limit=1');
    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([
      {
        id: 'alpha',
        name: 'renamed alpha',
        version: alpha.version,
        hosts: 3,
        networks: 3,
        vms: 3,
        vifs: 4,
      },
    ]);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await get(`/api/pools?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items.map((p: Json) => p.id)).toEqual(['beta']);
    expect(second.body.nextCursor).toBeNull();
    const all = await get('/api/pools');
    expect(all.body.items.map((p: Json) => p.id)).toEqual(['alpha', 'beta']);
  });

  it('shows one pool, and answers 404 for an unknown one', async () => {
    const { status, body } = await get('/api/pools/alpha');
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: 'alpha', version: alpha.version, migrationsActive: 1 });
    expect(Date.parse(body.updatedAt)).not.toBeNaN();
    for (const path of ['/api/pools/nope', '/api/pools/nope/hosts', '/api/pools/nope/switch']) {
      const missing = await get(path);
      expect(missing.status, path).toBe(404);
      expect(missing.body).toMatchObject({ code: 'POOL_NOT_FOUND', message: expect.any(String) });
    }
  });

  it('answers 400 for a bad limit, an unknown parameter or a forged cursor', async () => {
    for (const query of ['limit=0', 'limit=501', 'limit=abc', 'colour=blue']) {
      const { status, body } = await get(`/api/pools?${query}`);
      expect(status, query).toBe(400);
      expect(body.code, query).toBe('INVALID_QUERY');
    }
    const forged = await get('/api/pools/alpha/vms?cursor=not-a-cursor');
    expect(forged).toMatchObject({ status: 400, body: { code: 'INVALID_CURSOR' } });
    const badFilter = await get('/api/pools/alpha/vms?powerState=paused');
    expect(badFilter).toMatchObject({ status: 400, body: { code: 'INVALID_QUERY' } });
  });

  it('shows the pool as one switch', async () => {
    const { status, body } = await get('/api/pools/alpha/switch');
    expect(status).toBe(200);
    expect(body.version).toBe(alpha.version);
    const byId = Object.fromEntries(body.networks.map((n: Json) => [n.id, n]));
    expect(Object.keys(byId).sort()).toEqual(['n-priv', 'n-storage', 'n-vm']);
    expect(byId['n-vm']).toMatchObject({ kind: 'external', vlan: 100, mtu: 9000 });
    expect(byId['n-vm'].aclDefault).toBe('deny');
    expect(byId['n-priv'].aclDefault).toBe('allow');
    expect(byId['n-vm'].uplinks).toEqual([
      { hostId: 'h1', device: 'eth0' },
      { hostId: 'h2', device: 'eth0' },
      { hostId: 'h3', device: 'eth0' },
    ]);
    expect(byId['n-priv']).toMatchObject({ kind: 'private', vlan: null, uplinks: [] });
    expect(byId['n-vm'].ports.map((p: Json) => [p.vifId, p.vmName, p.hostId, p.ips])).toEqual([
      ['vif1', 'vm1', 'h1', ['192.168.0.1']],
      ['vif2', 'vm2', 'h1', ['192.168.0.2', '2001:db8::2']],
      ['vif3', 'vm3', 'h3', ['192.168.0.3', '192.168.0.33', '2001:db8::33']],
    ]);
    expect(byId['n-vm'].ports.every((p: Json) => p.state === 'down')).toBe(true);
  });
});

describe('hosts, networks, VMs, addresses', () => {
  it('lists hosts with a filter, and shows one with its PIFs and bonds', async () => {
    const hosts = await get('/api/pools/alpha/hosts');
    expect(hosts.body.items.map((h: Json) => h.id)).toEqual(['h1', 'h2', 'h3']);
    expect(hosts.body.items[0]).toMatchObject({
      enabled: true,
      management: 'eth0',
      appliedVersion: null,
      lagEvents: null,
      lagSeconds: null,
      lastReportAt: null,
      drift: 0,
      runningVms: 2,
    });
    expect((await get('/api/pools/alpha/hosts?enabled=false')).body.items).toEqual([]);
    const paged = await get('/api/pools/alpha/hosts?limit=2');
    const rest = await get(`/api/pools/alpha/hosts?limit=2&cursor=${paged.body.nextCursor}`);
    expect(rest.body).toEqual({ items: [expect.objectContaining({ id: 'h3' })], nextCursor: null });

    const h1 = await get('/api/pools/alpha/hosts/h1');
    expect(h1.body.bonds).toEqual([
      { id: 'b2', device: 'bond1', members: ['eth2', 'eth3'], mode: 'lacp' },
    ]);
    expect(h1.body.pifs.find((p: Json) => p.device === 'eth0')).toMatchObject({
      id: 'h1/eth0',
      role: 'management',
      roles: ['management', 'storage', 'vm'],
      bondId: null,
    });
    expect(h1.body.pifs.find((p: Json) => p.device === 'eth3').bondId).toBe('b2');
    expect((await get('/api/pools/alpha/hosts/h4')).body.code).toBe('HOST_NOT_FOUND');
  });

  it('lists networks and shows one', async () => {
    const networks = await get('/api/pools/alpha/networks?limit=2');
    expect(networks.body.items.map((n: Json) => n.id)).toEqual(['n-priv', 'n-storage']);
    const last = await get(`/api/pools/alpha/networks?limit=2&cursor=${networks.body.nextCursor}`);
    expect(last.body.items.map((n: Json) => [n.id, n.aclDefault])).toEqual([['n-vm', 'deny']]);
    const storage = await get('/api/pools/alpha/networks/n-storage');
    expect(storage.body).toMatchObject({
      purpose: 'storage',
      device: 'eth0',
      vlan: 200,
      aclDefault: 'allow',
    });
    expect((await get('/api/pools/alpha/networks/n-gone')).status).toBe(404);
  });

  it('lists VMs by host and power state, with VIFs and the active migration', async () => {
    const onH1 = await get('/api/pools/alpha/vms?host=h1');
    expect(onH1.body.items.map((vm: Json) => vm.id)).toEqual(['vm1', 'vm2']);
    const vm1 = onH1.body.items[0];
    expect(vm1.migration).toEqual({ id: 'mig3', status: 'prepared', toHostId: 'h2' });
    const none = { qos: null, portSecurity: false };
    // Mid-migration (prepared), each VIF's port is on both hosts and forwards on neither.
    const placed = (vif: string, network: string) => {
      const names = { port: portName(vif), bridge: bridgeName(network) };
      const pending = (hostId: string) => ({ hostId, ...names, role: 'pending' });
      return { ...names, ports: [pending('h1'), pending('h2')] };
    };
    expect(vm1.vifs).toEqual([
      {
        id: 'vif1',
        device: 0,
        mac: expect.any(String),
        networkId: 'n-vm',
        ips: ['192.168.0.1'],
        ...none,
        ...placed('vif1', 'n-vm'),
      },
      {
        id: 'vif1b',
        device: 1,
        mac: expect.any(String),
        networkId: 'n-priv',
        ips: [],
        ...none,
        ...placed('vif1b', 'n-priv'),
      },
    ]);
    // QoS and port security, as UpdateVif set them.
    expect(onH1.body.items[1].vifs[0]).toMatchObject({ id: 'vif2', qos: null, portSecurity: true });
    expect((await get('/api/pools/alpha/vms?powerState=halted')).body.items).toEqual([]);
    const vm3 = await get('/api/pools/alpha/vms/vm3');
    expect(vm3.body).toMatchObject({ hostId: 'h3', powerState: 'running', migration: null });
    const qos = { ingressKbps: 1000, ingressBurstKb: 100, egressKbps: 2000, egressBurstKb: 200 };
    expect(vm3.body.vifs[0]).toMatchObject({
      id: 'vif3',
      ips: ['192.168.0.3', '192.168.0.33', '2001:db8::33'],
      qos,
      portSecurity: false,
    });
    // The switch's ports carry them too (the dashboard shows them there).
    const ports = (await get('/api/pools/alpha/switch')).body.networks.flatMap(
      (n: Json) => n.ports,
    );
    expect(ports.find((p: Json) => p.vifId === 'vif3')).toMatchObject({ qos, portSecurity: false });
    expect(ports.find((p: Json) => p.vifId === 'vif2')).toMatchObject({
      qos: null,
      portSecurity: true,
    });
    expect((await get('/api/pools/alpha/vms/vm4')).body.code).toBe('VM_NOT_FOUND');
  });

  it('looks addresses up by MAC and by IP', async () => {
    const vm2 = (await get('/api/pools/alpha/vms/vm2')).body;
    const mac: string = vm2.vifs[0].mac;
    const byMac = await get(`/api/pools/alpha/addresses?mac=${mac.toUpperCase()}`);
    // Each address names the port its traffic goes through, on the host vm2 runs on.
    const names = { port: portName('vif2'), bridge: bridgeName('n-vm') };
    const port = { ...names, ports: [{ hostId: 'h1', ...names, role: 'active' }] };
    expect(byMac.body.items).toEqual([
      {
        mac,
        ip: '192.168.0.2',
        networkId: 'n-vm',
        vifId: 'vif2',
        vmId: 'vm2',
        hostId: 'h1',
        state: 'down',
        ...port,
      },
      {
        mac,
        ip: '2001:db8::2',
        networkId: 'n-vm',
        vifId: 'vif2',
        vmId: 'vm2',
        hostId: 'h1',
        state: 'down',
        ...port,
      },
    ]);
    const byIp = await get('/api/pools/alpha/addresses?ip=192.168.0.3&network=n-vm');
    expect(byIp.body.items).toEqual([expect.objectContaining({ vifId: 'vif3', hostId: 'h3' })]);
    expect(
      (await get('/api/pools/alpha/addresses?ip=192.168.0.3&network=n-priv')).body.items,
    ).toEqual([]);
    const further = await get('/api/pools/alpha/addresses?ip=2001:DB8::33');
    expect(further.body.items).toEqual([
      expect.objectContaining({ ip: '2001:db8::33', vifId: 'vif3', networkId: 'n-vm' }),
    ]);
    const all = await get('/api/pools/alpha/addresses?limit=2');
    expect(all.body.items).toHaveLength(2);
    expect(all.body.nextCursor).not.toBeNull();
    expect((await get('/api/pools/alpha/addresses?mac=zz')).body.code).toBe('INVALID_QUERY');
    expect((await get('/api/pools/alpha/addresses?ip=300.1.1.1')).status).toBe(400);
  });
});

describe('overlay networks (issue 19)', () => {
  // h1 tunnels over IPv4 from a 1500-byte PIF, h2 over IPv6 from a 9000-byte one.
  const gamma = new ScriptedPool('gamma');
  const underlayOf = async (path: string) => (await get(`/api/pools/gamma${path}`)).body;

  beforeAll(async () => {
    gamma.run('CreatePool', { poolId: 'gamma', name: 'gamma' });
    for (const [n, host] of ['h1', 'h2'].entries()) {
      gamma.run('JoinHost', {
        hostId: host,
        name: host,
        address: `10.3.0.${n + 1}`,
        pifs: pifs(n + 1),
        managementDevice: 'eth0',
      });
    }
    gamma.run('SetPifMtu', { hostId: 'h2', device: 'eth0', mtu: 9000 });
    gamma.run('SetTunnelEndpoint', { hostId: 'h1', device: 'eth0', address: '192.0.2.1' });
    gamma.run('SetTunnelEndpoint', { hostId: 'h2', device: 'eth0', address: '2001:db8::2' });
    gamma.run('CreateNetwork', {
      networkId: 'ov',
      name: 'ov',
      purpose: 'vm',
      kind: 'overlay',
      mtu: 1400,
    });
    gamma.run('CreateNetwork', { networkId: 'p', name: 'p', purpose: 'vm', kind: 'private' });
    await gamma.flush(store);
    await until(async () => {
      const { status } = await get('/api/pools/gamma/networks/p');
      return status === 200 ? true : undefined;
    }, "gamma's networks");
  });

  const h1 = { hostId: 'h1', device: 'eth0', address: '192.0.2.1', underlayMtu: 1500 };
  const h2 = { hostId: 'h2', device: 'eth0', address: '2001:db8::2', underlayMtu: 9000 };

  it("shows an overlay's MTU and, per host, the underlay MTU, VXLAN's overhead and the headroom", async () => {
    const ov = await underlayOf('/networks/ov');
    expect(ov).toMatchObject({ kind: 'overlay', vni: 1, mtu: 1400 });
    // 1500 − 50 − 1400 and 9000 − 70 − 1400.
    expect(ov.underlay).toEqual([
      { ...h1, overhead: 50, headroom: 50 },
      { ...h2, overhead: 70, headroom: 7530 },
    ]);
    expect((await underlayOf('/networks/p')).underlay).toBeNull();
    const listed = await underlayOf('/networks');
    expect(listed.items.map((n: Json) => [n.id, n.underlay?.length ?? null])).toEqual([
      ['ov', 2],
      ['p', null],
    ]);
    const sw = await underlayOf('/switch');
    const byId = Object.fromEntries(sw.networks.map((n: Json) => [n.id, n]));
    expect(byId.ov.underlay).toEqual(ov.underlay);
    expect(byId.p.underlay).toBeNull();
  });

  it('follows the log: a larger underlay MTU and a larger overlay MTU move the headroom', async () => {
    gamma.run('SetPifMtu', { hostId: 'h1', device: 'eth0', mtu: 1600 });
    gamma.run('UpdateNetwork', { networkId: 'ov', mtu: 1500 });
    await gamma.flush(store);
    const underlay = await until(async () => {
      const ov = await underlayOf('/networks/ov');
      return ov.mtu === 1500 ? ov.underlay : undefined;
    }, 'the new MTUs');
    expect(underlay).toEqual([
      { ...h1, underlayMtu: 1600, overhead: 50, headroom: 50 },
      { ...h2, overhead: 70, headroom: 7430 },
    ]);
  });
});

describe('migrations, policy, advice', () => {
  it('lists migrations newest first, by status, with each step version', async () => {
    const all = await get('/api/pools/alpha/migrations');
    expect(all.body.items.map((m: Json) => [m.id, m.status])).toEqual([
      ['mig3', 'prepared'],
      ['mig2', 'aborted'],
      ['mig1', 'completed'],
    ]);
    const done = all.body.items[2];
    expect(done.versions.completed).toBeGreaterThan(done.versions.activated);
    expect(all.body.items[1]).toMatchObject({ reason: 'target never reported ready' });
    const active = await get('/api/pools/alpha/migrations?status=active');
    expect(active.body.items.map((m: Json) => m.id)).toEqual(['mig3']);
    const page = await get('/api/pools/alpha/migrations?limit=2');
    const next = await get(`/api/pools/alpha/migrations?limit=2&cursor=${page.body.nextCursor}`);
    expect(next.body.items.map((m: Json) => m.id)).toEqual(['mig1']);
    expect((await get('/api/pools/alpha/migrations?status=done')).status).toBe(400);
  });

  it('lists ACL rules and mirrors left after deletions and cascades', async () => {
    const acls = await get('/api/pools/alpha/acls');
    const none = { cidr: null, addressSetId: null, remoteGroupId: null };
    const noHits = { packets: 0, bytes: 0, hosts: [] };
    expect(acls.body.items).toEqual([
      {
        id: 'acl1',
        scope: { kind: 'network', networkId: 'n-vm' },
        direction: 'from-vm',
        priority: 100,
        match: { ...none, protocol: 'tcp', cidr: '10.0.0.0/8', portFrom: 22, portTo: 22 },
        action: 'allow',
        stateless: false,
        hits: noHits,
      },
      {
        id: 'sg-db-pg',
        scope: { kind: 'group', groupId: 'sg-db' },
        direction: 'to-vm',
        priority: 100,
        match: { ...none, protocol: 'tcp', remoteGroupId: 'sg-web', portFrom: 5432, portTo: 5432 },
        action: 'allow',
        stateless: true,
        hits: noHits,
      },
      {
        id: 'sg-web-https',
        scope: { kind: 'group', groupId: 'sg-web' },
        direction: 'to-vm',
        priority: 100,
        match: { ...none, protocol: 'tcp', addressSetId: 'as-admin', portFrom: 443, portTo: 443 },
        action: 'allow',
        stateless: false,
        hits: noHits,
      },
      {
        id: 'sg-web-out',
        scope: { kind: 'group', groupId: 'sg-web' },
        direction: 'from-vm',
        priority: 100,
        match: { ...none, protocol: 'any', portFrom: null, portTo: null },
        action: 'allow',
        stateless: false,
        hits: noHits,
      },
    ]);
    const mirrors = await get('/api/pools/alpha/mirrors');
    expect(mirrors.body.items).toEqual([
      {
        id: 'm1',
        source: { kind: 'network', networkId: 'n-vm' },
        direction: 'both',
        destinationVifId: 'vif1b',
        // Its monitor's VM is mid-migration (prepared): said so, not left out.
        status: {
          state: 'inactive',
          monitorHost: null,
          problems: [
            {
              code: 'MONITOR_NOT_FORWARDING',
              message: 'monitor VM vm1 is migrating: no port of it forwards yet',
            },
          ],
        },
      },
    ]);
  });

  it('lists address sets and security groups with members, policy and rule count', async () => {
    const sets = await get('/api/pools/alpha/address-sets');
    expect(sets.body).toEqual({
      items: [
        {
          addressSetId: 'as-admin',
          name: 'admins',
          cidrs: ['10.0.0.0/8', '192.168.10.5/32', '2001:db8::/32'],
        },
      ],
      nextCursor: null,
    });
    // sg-gone went with its rule and mirror; vif3 left sg-web, vif4 went with its VM.
    const groups = await get('/api/pools/alpha/security-groups');
    expect(groups.body.items).toEqual([
      { groupId: 'sg-db', name: 'db', defaultPolicy: 'allow', vifIds: ['vif3'], ruleCount: 1 },
      {
        groupId: 'sg-web',
        name: 'web',
        defaultPolicy: 'deny',
        vifIds: ['vif1', 'vif2'],
        ruleCount: 2,
      },
    ]);
    const first = await get('/api/pools/alpha/security-groups?limit=1');
    expect(first.body.items.map((g: Json) => g.groupId)).toEqual(['sg-db']);
    const next = await get(
      `/api/pools/alpha/security-groups?limit=1&cursor=${first.body.nextCursor}`,
    );
    expect(next.body).toEqual({ items: [groups.body.items[1]], nextCursor: null });
    expect((await get('/api/pools/beta/security-groups')).body).toEqual({
      items: [],
      nextCursor: null,
    });
    expect((await get('/api/pools/beta/address-sets')).body.items).toEqual([]);
    for (const list of ['address-sets', 'security-groups']) {
      expect(await get(`/api/pools/nope/${list}`)).toMatchObject({
        status: 404,
        body: { code: 'POOL_NOT_FOUND' },
      });
      expect((await get(`/api/pools/alpha/${list}?limit=0`)).status).toBe(400);
    }
  });

  it('advises where traffic types share a NIC', async () => {
    const advice = await get('/api/pools/alpha/advice');
    expect(advice.body.items.map((a: Json) => [a.hostId, a.device, a.traffic])).toEqual([
      ['h1', 'eth0', ['management', 'storage', 'vm']],
      ['h2', 'eth0', ['management', 'storage', 'vm']],
      ['h3', 'eth0', ['management', 'storage', 'vm']],
    ]);
    expect((await get('/api/pools/beta/advice')).body.items).toEqual([]);
  });
});

describe('host reports and the stream', () => {
  it('turns a host report into host status, lag, port states and counters, and streams it', async () => {
    const stream = await openStream('alpha');
    expect(stream.response.headers.get('content-type')).toContain('text/event-stream');
    await until(async () => {
      const info = await nats.jsm.streams.info(nats.reportsStream).catch(() => undefined);
      return info ? true : undefined;
    }, 'the reports stream');
    const report: HostReport = {
      pool: 'alpha',
      host: 'h1',
      appliedVersion: alpha.version - 2,
      digest: 'sha256:abc',
      at: new Date().toISOString(),
      ports: [
        { vif: 'vif1', ready: true, forwarding: true },
        { vif: 'vif2', ready: true, forwarding: false },
      ],
      drift: [{ kind: 'port', object: 'vif1', repaired: true }],
      counters: [
        { port: 'vif1', rxPackets: 10, txPackets: 20, rxBytes: 1000, txBytes: 2000 },
        { port: portName('vif2'), rxPackets: 1, txPackets: 2, rxBytes: 3, txBytes: 4 },
      ],
    };
    await nats.js.publish(`${nats.root}.alpha.hosts.h1.reports`, JSON.stringify(report));

    const hostEvent = await stream.next((e) => e.event === 'host', 'a host event');
    expect(hostEvent.data).toEqual({
      pool: 'alpha',
      hostId: 'h1',
      appliedVersion: alpha.version - 2,
      lagEvents: 2,
    });
    const h1 = (await get('/api/pools/alpha/hosts/h1')).body;
    expect(h1).toMatchObject({
      appliedVersion: alpha.version - 2,
      lagEvents: 2,
      digest: 'sha256:abc',
      drift: 1,
    });
    expect(h1.lagSeconds).toBeGreaterThan(0);
    expect(Date.parse(h1.lastReportAt)).not.toBeNaN();
    // A report without `plugged` (an older host's) says nothing is missing.
    expect(h1.ports).toEqual([
      { vifId: 'vif1', ready: true, forwarding: true, plugged: true },
      { vifId: 'vif2', ready: true, forwarding: false, plugged: true },
    ]);
    const counters = await get('/api/pools/alpha/counters?host=h1');
    expect(counters.body.items).toEqual([
      expect.objectContaining({ port: portName('vif2'), vifId: 'vif2', txBytes: 4 }),
      expect.objectContaining({ hostId: 'h1', port: 'vif1', vifId: 'vif1', rxPackets: 10 }),
    ]);
    expect((await get('/api/pools/alpha/counters?host=h2')).body.items).toEqual([]);
    const ports = (await get('/api/pools/alpha/switch')).body.networks.find(
      (n: Json) => n.id === 'n-vm',
    ).ports;
    expect(Object.fromEntries(ports.map((p: Json) => [p.vifId, p.state]))).toEqual({
      vif1: 'forwarding',
      vif2: 'pending',
      vif3: 'down',
    });

    // Caught up: no lag at all.
    await nats.js.publish(
      `${nats.root}.alpha.hosts.h1.reports`,
      JSON.stringify({ ...report, appliedVersion: alpha.version, drift: undefined }),
    );
    await stream.next((e) => e.event === 'host' && e.data.lagEvents === 0, 'a caught-up report');
    expect((await get('/api/pools/alpha/hosts/h1')).body).toMatchObject({
      lagEvents: 0,
      lagSeconds: 0,
      drift: 1,
    });
    await stream.close();
  });

  it("carries each ACL rule's hits per host and summed over hosts; a later report replaces a host's", async () => {
    const send = (host: string, aclCounters: HostReport['aclCounters']) =>
      nats.js.publish(
        `${nats.root}.alpha.hosts.${host}.reports`,
        JSON.stringify({
          pool: 'alpha',
          host,
          appliedVersion: alpha.version,
          digest: 'sha256:abc',
          at: new Date().toISOString(),
          aclCounters,
        } satisfies HostReport),
      );
    const hits = async () =>
      (await get('/api/pools/alpha/acls')).body.items.find((r: Json) => r.id === 'acl1').hits;
    await send('h2', [{ rule: 'acl1', packets: 3, bytes: 294 }]);
    await send('h3', [
      { rule: 'acl1', packets: 2, bytes: 148 },
      { rule: 'gone', packets: 9, bytes: 900 },
    ]);
    await until(async () => ((await hits()).hosts.length === 2 ? true : undefined), 'both hosts');
    expect(await hits()).toEqual({
      packets: 5,
      bytes: 442,
      hosts: [
        { hostId: 'h2', packets: 3, bytes: 294, updatedAt: expect.any(String) },
        { hostId: 'h3', packets: 2, bytes: 148, updatedAt: expect.any(String) },
      ],
    });
    // The counter moved on h2; h3 no longer has the rule (its VIF left): its row goes.
    await send('h2', [{ rule: 'acl1', packets: 7, bytes: 686 }]);
    await send('h3', []);
    await until(async () => ((await hits()).packets === 7 ? true : undefined), 'the new counts');
    expect(await hits()).toEqual({
      packets: 7,
      bytes: 686,
      hosts: [{ hostId: 'h2', packets: 7, bytes: 686, updatedAt: expect.any(String) }],
    });
  });

  it('streams a change event after a new event is committed', async () => {
    const stream = await openStream('alpha');
    const beta = await openStream('beta');
    // A heartbeat at once, with its interval: a client bounds its wait for the next by it.
    const heartbeat = await stream.next((e) => e.event === 'heartbeat', 'a heartbeat');
    expect(heartbeat.data).toEqual({ intervalMs: 5_000 });
    await beta.next((e) => e.event === 'heartbeat', "beta's heartbeat");
    alpha.run('RenameVm', { vmId: 'vm2', name: 'renamed vm2' });
    const version = await alpha.flush(store);
    const change = await stream.next(
      (e) => e.event === 'change' && e.data.version === version,
      'a change',
    );
    expect(change.data).toEqual({ pool: 'alpha', version, kinds: ['pool', 'vms'] });
    expect((await get('/api/pools/alpha/vms/vm2')).body.name).toBe('renamed vm2');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Alpha's change is not beta's: beta's stream carries its heartbeats only.
    expect(beta.events.filter((e) => e.event !== 'heartbeat')).toEqual([]);
    await stream.close();
    await beta.close();
    expect((await get('/api/pools/nope/stream')).status).toBe(404);
  });

  it('streams security-group and address-set changes under their own kinds', async () => {
    const stream = await openStream('beta');
    await stream.next((e) => e.event === 'heartbeat', 'a heartbeat');
    const changeOf = async (version: number) =>
      (await stream.next((e) => e.event === 'change' && e.data.version === version, 'a change'))
        .data.kinds;
    betaPool.run('CreateAddressSet', { addressSetId: 'as1', name: 'set', cidrs: ['10.9.0.0/16'] });
    expect(await changeOf(await betaPool.flush(store))).toEqual(['pool', 'address-sets']);
    betaPool.run('CreateSecurityGroup', { groupId: 'sg1', name: 'group' });
    expect(await changeOf(await betaPool.flush(store))).toEqual(['pool', 'security-groups']);
    betaPool.run('SetNetworkAclDefault', { networkId: 'n2', defaultPolicy: 'deny' });
    expect(await changeOf(await betaPool.flush(store))).toEqual(['pool', 'networks']);
    await stream.close();
    expect((await get('/api/pools/beta/security-groups')).body.items).toEqual([
      { groupId: 'sg1', name: 'group', defaultPolicy: 'deny', vifIds: [], ruleCount: 0 },
    ]);
    expect((await get('/api/pools/beta/networks/n2')).body.aclDefault).toBe('deny');
  });
});

describe('documents and commands', () => {
  it('serves OpenAPI at /docs and projection metrics', async () => {
    const { body } = await get('/docs-json');
    for (const path of [
      '/api/pools',
      '/api/pools/{pool}/switch',
      '/api/pools/{pool}/addresses',
      '/api/pools/{pool}/address-sets',
      '/api/pools/{pool}/security-groups',
      '/api/pools/{pool}/stream',
    ]) {
      expect(Object.keys(body.paths)).toContain(path);
    }
    expect((await fetch(`${base}/docs`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/poolnet_projection_lag_events\{app="projection"\} 0/);
    expect(metrics).toMatch(/poolnet_projection_events_total\{app="projection"\} [1-9]/);
    expect(metrics).toContain('poolnet_projection_lag_seconds');
  });

  it('answers every read with the fields its OpenAPI schema documents, no more, no fewer', async () => {
    const { body: doc } = await get('/docs-json');
    const schemas = doc.components.schemas as Record<string, Json>;
    const resolve = (schema: Json): Json => {
      const ref: string | undefined = schema.$ref ?? schema.allOf?.[0]?.$ref;
      return ref ? schemas[ref.replace('#/components/schemas/', '')] : schema;
    };
    /** Where the answer and the schema disagree: undocumented fields, and missing required ones. */
    const drift = (value: unknown, schema: Json, at: string): string[] => {
      const s = resolve(schema);
      if (Array.isArray(value)) {
        return s.items ? value.flatMap((v, i) => drift(v, s.items, `${at}[${i}]`)) : [];
      }
      if (value === null || typeof value !== 'object' || !s.properties) return [];
      const properties = s.properties as Record<string, Json>;
      const fields = Object.keys(value);
      return [
        ...fields.filter((f) => !(f in properties)).map((f) => `${at}.${f} undocumented`),
        ...((s.required ?? []) as string[])
          .filter((f) => !fields.includes(f))
          .map((f) => `${at}.${f} missing`),
        ...fields
          .filter((f) => f in properties)
          .flatMap((f) => drift((value as Json)[f], properties[f], `${at}.${f}`)),
      ];
    };
    const reads: [string, string][] = [
      ['/api/pools', 'PoolSummaryModel'],
      ['/api/pools/alpha/hosts', 'HostModel'],
      ['/api/pools/alpha/networks', 'NetworkModel'],
      ['/api/pools/alpha/vms', 'VmModel'],
      ['/api/pools/alpha/addresses', 'AddressModel'],
      ['/api/pools/alpha/migrations', 'MigrationModel'],
      ['/api/pools/alpha/acls', 'AclRuleModel'],
      ['/api/pools/alpha/mirrors', 'MirrorModel'],
      ['/api/pools/alpha/address-sets', 'AddressSetModel'],
      ['/api/pools/alpha/security-groups', 'SecurityGroupModel'],
      ['/api/pools/alpha/counters', 'CounterModel'],
      ['/api/pools/alpha/advice', 'AdviceModel'],
    ];
    for (const [path, model] of reads) {
      const { items } = (await get(path)).body;
      expect(items.length, path).toBeGreaterThan(0);
      expect(drift(items, { items: { $ref: model } }, path)).toEqual([]);
    }
    const ones: [string, string][] = [
      ['/api/pools/alpha', 'PoolModel'],
      ['/api/pools/alpha/switch', 'SwitchModel'],
      ['/api/pools/alpha/hosts/h1', 'HostDetailModel'],
    ];
    for (const [path, model] of ones) {
      expect(drift((await get(path)).body, { $ref: model }, path)).toEqual([]);
    }
  });

  it('verify says equal (exit 0), then finds tampering (exit 1); rebuild repairs it', async () => {
    await verifyReadModels(database.url, { catchUpTimeoutMs: 30_000 });
    const clean = await command('verify');
    expect(clean.code, clean.out).toBe(0);
    expect(JSON.parse(clean.out)).toMatchObject({ equal: true, differences: [] });

    await db.query(`UPDATE rm_vms SET name = 'tampered' WHERE pool_id = 'alpha' AND id = 'vm1'`);
    const broken = await command('verify');
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.out).differences).toEqual([
      expect.objectContaining({ table: 'rm_vms', key: 'alpha/vm1', problem: 'changed' }),
    ]);

    // The running app holds the projector lock: it notices the reset and rebuilds.
    const rebuilt = await command('rebuild');
    expect(rebuilt.code, rebuilt.out).toBe(0);
    expect(JSON.parse(rebuilt.out)).toMatchObject({ rebuilt: true });
    expect((await command('verify')).code).toBe(0);
    // Host status comes from reports, not the log: a rebuild keeps it.
    expect((await get('/api/pools/alpha/hosts/h1')).body.appliedVersion).toBe(alpha.version - 1);
  });
});
