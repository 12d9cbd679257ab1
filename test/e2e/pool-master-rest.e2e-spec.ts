/**
 * The pool master's REST API end to end, as an operator's script would drive it: a pool is
 * configured route by route (hosts with PIFs, a bond, an external VLAN network, a private one,
 * VMs, VIFs with given and generated MACs, an ACL rule, a mirror, a start and a migration
 * request, refused off a private network's peers until it accepts that), then read back from `GET /pools/:pool/events`. Real PostgreSQL and NATS; the app is
 * booted in-process (see support/pool-master-harness.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootPoolMaster,
  type Json,
  type ApiResponse,
  type PoolMasterHarness,
} from './support/pool-master-harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const pif = (device: string, n: number, mtu = 1500) => ({
  device,
  mac: `00:16:3e:00:0${n}:0${device.at(-1)}`,
  mtu,
  speedMbps: 10_000,
  carrier: true,
});

describe('pool master over REST', () => {
  let api: PoolMasterHarness;
  let pool: string;
  /** Every successful command's outcome, in order, to compare with the log. */
  const outcomes: ApiResponse[] = [];

  const send = async (
    method: string,
    path: string,
    json?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse> => {
    const response = await api.request(method, path, { json, headers });
    if (response.status < 300) outcomes.push(response);
    return response;
  };
  /** Sends a command and expects it applied: status, ETag and outcome checked. */
  const ok = async (
    status: 200 | 201,
    method: string,
    path: string,
    json?: unknown,
    headers?: Record<string, string>,
  ): Promise<Json> => {
    const response = await send(method, `/pools/${pool}${path}`, json, headers);
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    expect(response.headers.get('etag')).toBe(`"${response.body.version}"`);
    expect(response.body).toMatchObject({ pool, duplicate: false });
    return response.body;
  };
  const eventOf = (outcome: Json, type: string): Json =>
    outcome.events.find((event: { type: string }) => event.type === type)?.data;

  beforeAll(async () => {
    api = await bootPoolMaster();
  });

  afterAll(async () => {
    await api?.close();
  });

  it('creates a pool with a generated id and renames it under If-Match', async () => {
    const created = await send('POST', '/pools', { name: 'Lab' });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    pool = created.body.pool;
    expect(pool).toMatch(UUID);
    expect(created.body.events).toEqual([
      {
        type: 'PoolCreated',
        version: 1,
        data: expect.objectContaining({ poolId: pool, name: 'Lab' }),
      },
    ]);

    const renamed = await ok(200, 'PATCH', '', { name: 'Lab pool' }, { 'If-Match': '"1"' });
    expect(renamed).toMatchObject({ version: 2, firstVersion: 2 });
  });

  it('joins hosts with their PIFs, sets PIF roles and MTUs, enables and ejects', async () => {
    const a = await ok(201, 'POST', '/hosts', {
      hostId: 'host-a',
      name: 'host-a',
      address: '192.0.2.11',
      pifs: [pif('eth0', 1), pif('eth1', 1), pif('eth2', 1), pif('eth3', 1)],
      managementDevice: 'eth0',
    });
    expect(eventOf(a, 'HostJoined').pifs).toHaveLength(4);
    await ok(201, 'POST', '/hosts', {
      hostId: 'host-b',
      name: 'host-b',
      address: '192.0.2.12',
      pifs: [pif('eth0', 2), pif('eth1', 2)],
      managementDevice: 'eth0',
    });
    // A host without an id gets one from the server.
    const c = await ok(201, 'POST', '/hosts', {
      name: 'host-c',
      address: 'host-c.lab',
      pifs: [pif('eth0', 3)],
      managementDevice: 'eth0',
    });
    const hostC = eventOf(c, 'HostJoined').hostId;
    expect(hostC).toMatch(UUID);

    // Role and MTU in one PUT: two commands, both events in the outcome.
    const set = await ok(200, 'PUT', '/hosts/host-a/pifs/eth1', { role: 'vm', mtu: 9000 });
    expect(set.events.map((e: { type: string }) => e.type)).toEqual([
      'PifRoleChanged',
      'PifMtuChanged',
    ]);
    expect(set.firstVersion).toBe(set.version - 1);
    await ok(200, 'PUT', '/hosts/host-b/pifs/eth1', { role: 'vm' });
    await ok(200, 'PUT', '/hosts/host-b/pifs/eth1', { mtu: 9000 });

    const disabled = await ok(200, 'POST', '/hosts/host-b/disable');
    expect(disabled.events.map((e: { type: string }) => e.type)).toEqual(['HostDisabled']);
    expect(disabled.enabledHosts).not.toContain('host-b');
    const enabled = await ok(200, 'POST', '/hosts/host-b/enable');
    expect(enabled.enabledHosts).toContain('host-b');

    const ejected = await ok(200, 'DELETE', `/hosts/${hostC}`);
    expect(ejected.events.map((e: { type: string }) => e.type)).toEqual(['HostEjected']);
  });

  it('bonds NICs and creates external VLAN and private networks', async () => {
    const bond = await ok(201, 'POST', '/bonds', {
      hostId: 'host-a',
      device: 'bond0',
      members: ['eth2', 'eth3'],
      mode: 'balance-slb',
    });
    expect(eventOf(bond, 'BondCreated')).toMatchObject({ hostId: 'host-a', device: 'bond0' });
    expect(eventOf(bond, 'BondCreated').bondId).toMatch(UUID);

    const prod = await ok(201, 'POST', '/networks', {
      networkId: 'prod',
      name: 'prod-vlan-100',
      purpose: 'vm',
      kind: 'external',
      device: 'eth1',
      vlan: 100,
      mtu: 9000,
    });
    expect(eventOf(prod, 'NetworkCreated')).toMatchObject({
      kind: 'external',
      vlan: 100,
      mtu: 9000,
    });
    const backend = await ok(201, 'POST', '/networks', {
      name: 'backend',
      purpose: 'vm',
      kind: 'private',
    });
    expect(eventOf(backend, 'NetworkCreated')).toMatchObject({ kind: 'private', mtu: 1500 });

    await ok(200, 'PATCH', '/networks/prod', { name: 'prod-100' });
    // A bond-backed network, then gone again: destroy without VIFs is allowed.
    await ok(201, 'POST', '/networks', {
      networkId: 'storage',
      name: 'storage',
      purpose: 'storage',
      kind: 'external',
      device: 'bond0',
    });
    await ok(200, 'DELETE', '/networks/storage');
  });

  it('declares tunnel endpoints and creates an overlay network with a VNI (issue 19)', async () => {
    const early = await send('POST', `/pools/${pool}/networks`, {
      name: 'tenant-a',
      purpose: 'vm',
      kind: 'overlay',
    });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'TUNNEL_ENDPOINT_MISSING' });
    expect(early.body.details.hostIds).toEqual(['host-a', 'host-b']);
    const set = await ok(200, 'PUT', '/hosts/host-a/tunnel-endpoint', {
      device: 'eth0',
      address: '192.0.2.11',
    });
    expect(eventOf(set, 'TunnelEndpointSet')).toEqual({
      hostId: 'host-a',
      device: 'eth0',
      address: '192.0.2.11',
    });
    await ok(200, 'PUT', '/hosts/host-b/tunnel-endpoint', {
      device: 'eth0',
      address: '192.0.2.12',
    });
    const tooLarge = await send('POST', `/pools/${pool}/networks`, {
      name: 'tenant-a',
      purpose: 'vm',
      kind: 'overlay',
      mtu: 1451,
    });
    expect(tooLarge.status).toBe(409);
    expect(tooLarge.body.code).toBe('OVERLAY_MTU_TOO_LARGE');
    expect(tooLarge.body.message).toContain('host-a (eth0 MTU 1500 − 50 = 1450)');
    const created = await ok(201, 'POST', '/networks', {
      name: 'tenant-a',
      purpose: 'vm',
      kind: 'overlay',
    });
    expect(eventOf(created, 'NetworkCreated')).toMatchObject({
      kind: 'overlay',
      vni: 1,
      mtu: 1450,
    });
  });

  it('creates VMs with VIFs, given and generated MACs, an ACL rule and a mirror', async () => {
    await ok(201, 'POST', '/vms', { vmId: 'web', name: 'web-1' });
    const db = await ok(201, 'POST', '/vms', { name: 'db' });
    const dbId = eventOf(db, 'VmCreated').vmId;
    await ok(200, 'PATCH', '/vms/web', { name: 'web-01' });

    const given = await ok(201, 'POST', '/vms/web/vifs', {
      vifId: 'web-eth0',
      device: 0,
      networkId: 'prod',
      mac: '02:AA:BB:CC:DD:01',
      ipv4: '192.0.2.10',
      ipv6: '2001:DB8::10',
      qos: {
        ingressKbps: 100_000,
        ingressBurstKb: 10_000,
        egressKbps: 50_000,
        egressBurstKb: 5_000,
      },
      portSecurity: true,
    });
    // Normalised by the decider: lower case MAC, canonical IPv6.
    expect(eventOf(given, 'VifCreated')).toMatchObject({
      vmId: 'web',
      mac: '02:aa:bb:cc:dd:01',
      macGenerated: false,
      ipv6: '2001:db8::10',
      portSecurity: true,
    });

    const backendId = (await api.request('GET', `/pools/${pool}/events`)).body.events.find(
      (e: Json) => e.type === 'NetworkCreated' && e.data.kind === 'private',
    ).data.networkId;
    // No id, no MAC, no device: the pool picks all three (device: the VM's lowest free).
    const generated = await ok(201, 'POST', `/vms/${dbId}/vifs`, { networkId: backendId });
    const vif = eventOf(generated, 'VifCreated');
    expect(vif.vifId).toMatch(UUID);
    expect(vif.device).toBe(0);
    expect(vif.macGenerated).toBe(true);
    // Locally administered (bit 1 of the first octet), unicast (bit 0 clear).
    expect(parseInt(vif.mac.slice(0, 2), 16) & 0b11).toBe(0b10);
    await ok(201, 'POST', '/vms/web/vifs', { vifId: 'web-eth1', device: 1, networkId: backendId });
    await ok(200, 'PATCH', '/vms/web/vifs/web-eth1', { ipv4: '10.0.0.5', portSecurity: true });

    const rule = await ok(201, 'POST', '/acls', {
      scope: { kind: 'network', networkId: 'prod' },
      direction: 'from-vm',
      priority: 100,
      match: { protocol: 'tcp', cidr: '198.51.100.0/24', portFrom: 443 },
      action: 'allow',
    });
    expect(eventOf(rule, 'AclRuleCreated').match).toEqual({
      protocol: 'tcp',
      cidr: '198.51.100.0/24',
      addressSetId: null,
      remoteGroupId: null,
      portFrom: 443,
      portTo: 443,
    });
    const ruleId = eventOf(rule, 'AclRuleCreated').ruleId;
    await ok(201, 'POST', '/acls', {
      ruleId: 'deny-ssh',
      scope: { kind: 'vif', vifId: 'web-eth0' },
      direction: 'from-vm',
      priority: 200,
      match: { protocol: 'tcp', portFrom: 22 },
      action: 'drop',
    });
    await ok(200, 'DELETE', `/acls/${ruleId}`);

    const mirror = await ok(201, 'POST', '/mirrors', {
      mirrorId: 'tap-web',
      source: { kind: 'vif', vifId: 'web-eth0' },
      direction: 'both',
      destinationVifId: vif.vifId,
    });
    expect(eventOf(mirror, 'MirrorCreated').source).toEqual({ kind: 'vif', vifId: 'web-eth0' });
    await ok(201, 'POST', '/mirrors', {
      mirrorId: 'tap-prod',
      source: { kind: 'network', networkId: 'prod' },
      direction: 'ingress',
      destinationVifId: vif.vifId,
    });
    await ok(200, 'DELETE', '/mirrors/tap-prod');

    // A VM and a VIF made only to be removed.
    await ok(201, 'POST', '/vms', { vmId: 'tmp', name: 'tmp' });
    await ok(201, 'POST', '/vms/tmp/vifs', { vifId: 'tmp-eth0', device: 0, networkId: 'prod' });
    await ok(200, 'DELETE', '/vms/tmp/vifs/tmp-eth0');
    await ok(200, 'DELETE', '/vms/tmp');
  });

  it('starts, stops and requests the migration of a VM', async () => {
    const started = await ok(200, 'POST', '/vms/web/start', { hostId: 'host-a' });
    expect(eventOf(started, 'VmStarted')).toEqual({ vmId: 'web', hostId: 'host-a' });

    // web and db share the private network backend on host-a: moving web alone cuts it off.
    const events = (await api.request('GET', `/pools/${pool}/events?limit=1000`)).body.events;
    const dbId = events.find((e: Json) => e.type === 'VmCreated' && e.data.name === 'db').data.vmId;
    const backendId = events.find(
      (e: Json) => e.type === 'NetworkCreated' && e.data.kind === 'private',
    ).data.networkId;
    await ok(200, 'POST', `/vms/${dbId}/start`, { hostId: 'host-a' });
    const cut = await send('POST', `/pools/${pool}/vms/web/migrate`, { toHostId: 'host-b' });
    expect(cut.status).toBe(409);
    expect(cut.body).toMatchObject({
      code: 'PRIVATE_NETWORK_PEERS',
      details: {
        vmId: 'web',
        hostId: 'host-a',
        networks: [{ networkId: backendId, name: 'backend', peers: [{ vmId: dbId, name: 'db' }] }],
      },
    });
    expect(cut.body.message).toContain(`backend (${backendId}) with VM(s) db (${dbId})`);
    const refused = await send('POST', `/pools/${pool}/vms/web/migrate`, {
      toHostId: 'host-b',
      acceptIsolation: false,
    });
    expect(refused.body.code).toBe('PRIVATE_NETWORK_PEERS');
    const notBoolean = await send('POST', `/pools/${pool}/vms/web/migrate`, {
      toHostId: 'host-b',
      acceptIsolation: 'yes',
    });
    expect(notBoolean.status).toBe(400);

    const migration = await ok(201, 'POST', '/vms/web/migrate', {
      toHostId: 'host-b',
      acceptIsolation: true,
    });
    expect(eventOf(migration, 'MigrationRequested')).toMatchObject({
      vmId: 'web',
      fromHostId: 'host-a',
      toHostId: 'host-b',
      acceptIsolation: true,
    });
    expect(eventOf(migration, 'MigrationRequested').migrationId).toMatch(UUID);
    await ok(200, 'POST', `/vms/${dbId}/stop`);

    await ok(201, 'POST', '/vms', { vmId: 'batch', name: 'batch' });
    await ok(200, 'POST', '/vms/batch/start', { hostId: 'host-b' });
    await ok(200, 'POST', '/vms/batch/stop');
  });

  it('applies a retried Idempotency-Key once', async () => {
    const headers = { 'Idempotency-Key': `create-cache-${pool}` };
    const first = await ok(201, 'POST', '/vms', { vmId: 'cache', name: 'cache' }, headers);
    const rows = await api.eventRows(pool);
    const retry = await api.request('POST', `/pools/${pool}/vms`, {
      json: { vmId: 'cache', name: 'cache' },
      headers,
    });
    expect(retry.status).toBe(201);
    expect(retry.body).toMatchObject({
      duplicate: true,
      commandId: headers['Idempotency-Key'],
      version: first.version,
      events: first.events,
    });
    expect(await api.eventRows(pool)).toBe(rows);
  });

  it('waits for the hosts with ?wait=hosts, and names those behind on a timeout', async () => {
    const current = Number(
      (await api.request('GET', `/pools/${pool}/events?after=0&limit=1000`)).body.next,
    );
    for (const host of ['host-a', 'host-b']) {
      api.convergence.record({ pool, host, appliedVersion: current + 1 });
    }
    const waited = await ok(200, 'PATCH', '/vms/cache?wait=hosts&timeoutMs=5000', {
      name: 'cache-1',
    });
    expect(waited.hosts).toEqual({ 'host-a': current + 1, 'host-b': current + 1 });

    const late = await send('PATCH', `/pools/${pool}/vms/cache?wait=hosts&timeoutMs=200`, {
      name: 'cache-2',
    });
    expect(late.status).toBe(504);
    expect(late.body).toMatchObject({
      statusCode: 504,
      code: 'CONVERGENCE_TIMEOUT',
      details: { version: current + 2 },
    });
    expect(late.body.details.behind.map((b: { host: string }) => b.host).sort()).toEqual([
      'host-a',
      'host-b',
    ]);
  });

  it('serves the log from /pools/:pool/events, in version order and by pages', async () => {
    const all = await api.request('GET', `/pools/${pool}/events?limit=1000`);
    expect(all.status).toBe(200);
    const events: Json[] = all.body.events;
    expect(events.length).toBe(await api.eventRows(pool));
    expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1));
    expect(all.body.next).toBe(events.length);
    expect(events[0]).toMatchObject({
      pool,
      type: 'PoolCreated',
      schemaVersion: expect.any(Number),
    });
    expect(events[0].id).toMatch(UUID);
    expect(events[0].position).toMatch(/^\d+:\d+:\d+$/);
    expect(events[0].metadata).toMatchObject({ commandId: expect.any(String) });

    // Every event an outcome reported is in the log at its version, with its data.
    const reported = outcomes.flatMap((o) => (o.body.duplicate ? [] : o.body.events));
    for (const event of reported) {
      expect(events[event.version - 1]).toMatchObject({ type: event.type, data: event.data });
    }
    const types = events.map((e) => e.type);
    for (const type of [
      'HostJoined',
      'BondCreated',
      'NetworkCreated',
      'VifCreated',
      'AclRuleCreated',
      'MirrorCreated',
      'VmStarted',
      'MigrationRequested',
    ]) {
      expect(types).toContain(type);
    }

    const page = await api.request('GET', `/pools/${pool}/events?after=3&limit=2`);
    expect(page.body.events.map((e: { version: number }) => e.version)).toEqual([4, 5]);
    expect(page.body.next).toBe(5);
    const end = await api.request('GET', `/pools/${pool}/events?after=${events.length}`);
    expect(end.body).toEqual({ pool, events: [], next: events.length });
  });

  it('documents every route and model at /docs', async () => {
    const doc = await api.request('GET', '/docs-json');
    expect(doc.status).toBe(200);
    const paths = Object.keys(doc.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/pools',
        '/pools/{pool}',
        '/pools/{pool}/hosts',
        '/pools/{pool}/hosts/{host}/enable',
        '/pools/{pool}/hosts/{host}/disable',
        '/pools/{pool}/hosts/{host}',
        '/pools/{pool}/hosts/{host}/pifs/{device}',
        '/pools/{pool}/bonds',
        '/pools/{pool}/bonds/{bond}',
        '/pools/{pool}/networks',
        '/pools/{pool}/networks/{network}',
        '/pools/{pool}/vms',
        '/pools/{pool}/vms/{vm}',
        '/pools/{pool}/vms/{vm}/start',
        '/pools/{pool}/vms/{vm}/stop',
        '/pools/{pool}/vms/{vm}/migrate',
        '/pools/{pool}/vms/{vm}/vifs',
        '/pools/{pool}/vms/{vm}/vifs/{vif}',
        '/pools/{pool}/acls',
        '/pools/{pool}/acls/{acl}',
        '/pools/{pool}/mirrors',
        '/pools/{pool}/mirrors/{mirror}',
        '/pools/{pool}/events',
      ]),
    );
    const schemas = doc.body.components.schemas;
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining([
        'CreateVifBody',
        'JoinHostBody',
        'PifInventoryData',
        'QosData',
        'AclMatchData',
        'NetworkScopeData',
        'ExternalNetworkBody',
        'PrivateNetworkBody',
        'CommandOutcomeModel',
        'ApiErrorModel',
        'EventsPageModel',
      ]),
    );
    // Every reference resolves: nested models (qos, pifs, match, scope) are named ones.
    const refs = [...JSON.stringify(doc.body).matchAll(/"#\/components\/schemas\/([^"]*)"/g)];
    expect(refs.length).toBeGreaterThan(20);
    for (const [, name] of refs) expect(schemas, `$ref ${name}`).toHaveProperty([name!]);
    expect(schemas.CreateVifBody.properties.qos.allOf).toEqual([
      { $ref: '#/components/schemas/QosData' },
    ]);
    expect(schemas.CreateVifBody.required).toEqual(expect.arrayContaining(['networkId']));
    // Without vifId the pool makes one; without device the VM's lowest free index is taken.
    expect(schemas.CreateVifBody.required).not.toContain('vifId');
    expect(schemas.CreateVifBody.required).not.toContain('device');
    const createVif = doc.body.paths['/pools/{pool}/vms/{vm}/vifs'].post;
    expect(Object.keys(createVif.responses)).toEqual(
      expect.arrayContaining(['201', '400', '404', '409', '412']),
    );
    expect(createVif.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['pool', 'vm', 'Idempotency-Key', 'If-Match', 'wait', 'timeoutMs']),
    );

    const ui = await api.request('GET', '/docs');
    expect(ui.status).toBe(200);
    expect(String(ui.body)).toContain('swagger');
  });
});
