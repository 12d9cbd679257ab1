import { bridgeName, portName } from '@pool/contracts';
import { describe, expect, it } from 'vitest';
import {
  fakeServices,
  MASTER,
  PROJECTION,
  run,
  type SeenRequest,
} from '../testing/fake-services.js';

const pif = (device: string, mac: string) => ({
  device,
  mac,
  mtu: 1500,
  speedMbps: 1000,
  carrier: true,
});

/** A pool's log as the master's events endpoint serves it. */
const LOG: [string, object][] = [
  ['PoolCreated', { poolId: 'lab', name: 'Lab', createdAt: '2026-01-01T00:00:00Z' }],
  [
    'HostJoined',
    {
      hostId: 'host-a',
      name: 'host-a',
      address: '192.0.2.1',
      joinedAt: '2026-01-01T00:00:00Z',
      pifs: [
        { ...pif('eth0', '52:54:00:00:00:01'), role: 'management' },
        { ...pif('eth1', '52:54:00:00:00:02'), role: 'unused' },
        { ...pif('eth2', '52:54:00:00:00:03'), role: 'unused' },
      ],
    },
  ],
  ['PifRoleChanged', { hostId: 'host-a', device: 'eth1', role: 'vm' }],
  [
    'BondCreated',
    { bondId: 'b0', hostId: 'host-a', device: 'bond0', members: ['eth1', 'eth2'], mode: 'lacp' },
  ],
  [
    'NetworkCreated',
    {
      networkId: 'prod',
      name: 'prod',
      purpose: 'vm',
      mtu: 1500,
      kind: 'external',
      device: 'bond0',
      vlan: 100,
    },
  ],
  ['VmCreated', { vmId: 'web-1', name: 'web' }],
  [
    'VifCreated',
    {
      vifId: 'v1',
      vmId: 'web-1',
      device: 0,
      networkId: 'prod',
      mac: '02:00:00:00:00:01',
      macGenerated: false,
      ipv4: '192.0.2.10',
      ipv6: null,
      qos: null,
      portSecurity: true,
    },
  ],
  ['VmStarted', { vmId: 'web-1', hostId: 'host-a' }],
  ['TunnelEndpointSet', { hostId: 'host-a', device: 'eth0', address: '192.0.2.1' }],
  [
    'NetworkCreated',
    { networkId: 'ov', name: 'ov', purpose: 'vm', mtu: 1400, kind: 'overlay', vni: 7 },
  ],
];

const masterLog = (r: SeenRequest) => {
  if (r.url.origin !== MASTER || r.url.pathname !== '/pools/lab/events') return undefined;
  const after = Number(r.url.searchParams.get('after'));
  const events = LOG.map(([type, data], i) => ({
    id: `e${i + 1}`,
    pool: 'lab',
    version: i + 1,
    position: `0:0:${i + 1}`,
    type,
    schemaVersion: 1,
    data,
    metadata: {},
    createdAt: '2026-01-01T00:00:00Z',
  })).filter((e) => e.version > after);
  return { status: 200, body: { pool: 'lab', events, next: events.at(-1)?.version ?? after } };
};
const projectionDown = (r: SeenRequest) => (r.url.origin === PROJECTION ? 'refuse' : undefined);

const json = async (argv: string[], ...routes: Parameters<typeof fakeServices>) => {
  const { fetch, seen } = fakeServices(...routes);
  const result = await run(['--pool', 'lab', '-o', 'json', ...argv], fetch);
  return { ...result, seen, value: result.stdout ? JSON.parse(result.stdout) : undefined };
};

describe('reading without the projection (the master log, folded)', () => {
  it('shows a VM with its VIFs, and says once where it read', async () => {
    const result = await json(['vm', 'show', 'web-1'], projectionDown, masterLog);
    expect(result.code).toBe(0);
    const names = { port: portName('v1'), bridge: bridgeName('prod') };
    expect(result.value).toEqual({
      id: 'web-1',
      name: 'web',
      powerState: 'running',
      hostId: 'host-a',
      vifs: [
        {
          id: 'v1',
          device: 0,
          mac: '02:00:00:00:00:01',
          networkId: 'prod',
          ips: ['192.0.2.10'],
          qos: null,
          portSecurity: true,
          // From the log too: the port and bridge names, on the host the VM runs on.
          ...names,
          ports: [{ hostId: 'host-a', ...names, role: 'active' }],
        },
      ],
      migration: null,
    });
    expect(result.stderr).toBe(
      "poolctl: note: cannot reach the projection at http://projection.test: ECONNREFUSED; reading the master's log instead\n",
    );
  });

  it('knows hosts, PIF roles, bonds and networks, not applied versions', async () => {
    const hosts = await json(['host', 'list'], projectionDown, masterLog);
    expect(hosts.value).toEqual([
      expect.objectContaining({
        id: 'host-a',
        enabled: true,
        management: 'eth0',
        appliedVersion: null,
        runningVms: 1,
      }),
    ]);
    const pifs = await json(['pif', 'list'], projectionDown, masterLog);
    expect(
      pifs.value.map((p: { device: string; roles: string[]; bondId: string | null }) => [
        p.device,
        p.roles,
        p.bondId,
      ]),
    ).toEqual([
      ['eth0', ['management'], null],
      ['eth1', ['vm'], 'b0'],
      ['eth2', ['unused'], 'b0'],
    ]);
    const bonds = await json(['bond', 'list'], projectionDown, masterLog);
    expect(bonds.value).toEqual([
      { id: 'b0', hostId: 'host-a', device: 'bond0', members: ['eth1', 'eth2'], mode: 'lacp' },
    ]);
    const networks = await json(['network', 'show', 'prod'], projectionDown, masterLog);
    expect(networks.value).toMatchObject({
      id: 'prod',
      kind: 'external',
      device: 'bond0',
      vlan: 100,
      uplinks: [{ hostId: 'host-a', device: 'bond0' }],
    });
  });

  it("shows an overlay's VNI and, per host, its underlay MTU, VXLAN's overhead and the headroom", async () => {
    const underlay = [
      {
        hostId: 'host-a',
        device: 'eth0',
        address: '192.0.2.1',
        underlayMtu: 1500,
        overhead: 50,
        headroom: 50,
      },
    ];
    const shown = await json(['network', 'show', 'ov'], projectionDown, masterLog);
    expect(shown.value).toMatchObject({ kind: 'overlay', vni: 7, mtu: 1400, underlay });
    expect(
      (await json(['network', 'show', 'prod'], projectionDown, masterLog)).value,
    ).toMatchObject({ vni: null, underlay: null });
    const { fetch } = fakeServices(projectionDown, masterLog);
    const text = await run(['--pool', 'lab', 'network', 'show', 'ov'], fetch);
    expect(text.stdout).toMatch(/^vni: +7$/m);
    expect(text.stdout).toMatch(
      /^underlay host-a: eth0 192\.0\.2\.1: MTU 1500 − VXLAN 50 − 1400 = headroom 50$/m,
    );
  });

  it('finds the VM of a VIF for vif destroy', async () => {
    const { fetch, seen } = fakeServices(projectionDown, masterLog, (r) =>
      r.method === 'DELETE'
        ? { status: 200, body: { version: 9, events: [], enabledHosts: [] } }
        : undefined,
    );
    const result = await run(['--pool', 'lab', 'vif', 'destroy', 'v1'], fetch);
    expect(result.code).toBe(0);
    expect(seen.at(-1)!.url.pathname).toBe('/pools/lab/vms/web-1/vifs/v1');
  });

  it('answers an unknown VM as the master would: 404, exit 1, VM_NOT_FOUND', async () => {
    const result = await json(['vm', 'show', 'nope'], projectionDown, masterLog);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('poolctl: VM nope does not exist. (VM_NOT_FOUND)');
  });

  it('reads the log when the projection answers 404 (it lags, or lacks the route)', async () => {
    const lagging = (r: SeenRequest) =>
      r.url.origin === PROJECTION
        ? { status: 404, body: { code: 'VM_NOT_FOUND', message: 'No.' } }
        : undefined;
    const result = await json(['vm', 'show', 'web-1'], lagging, masterLog);
    expect(result.code).toBe(0);
    expect(result.value.id).toBe('web-1');
    expect(result.stderr).toBe('');
  });

  it('prefers the projection when it answers, and --read-from log skips it', async () => {
    const projected = (r: SeenRequest) =>
      r.url.origin === PROJECTION
        ? {
            status: 200,
            body: {
              id: 'web-1',
              name: 'from projection',
              powerState: 'running',
              hostId: 'host-a',
              vifs: [],
              migration: null,
            },
          }
        : undefined;
    expect((await json(['vm', 'show', 'web-1'], projected, masterLog)).value.name).toBe(
      'from projection',
    );
    const fromLog = await json(['--read-from', 'log', 'vm', 'show', 'web-1'], projected, masterLog);
    expect(fromLog.value.name).toBe('web');
    expect(fromLog.seen.some((r) => r.url.origin === PROJECTION)).toBe(false);
  });

  it('status: head version and hosts from the projection, with lag', async () => {
    const projection = (r: SeenRequest) => {
      if (r.url.origin !== PROJECTION) return undefined;
      if (r.url.pathname === '/api/pools/lab')
        return { status: 200, body: { id: 'lab', name: 'Lab', version: 8, hosts: 2 } };
      return {
        status: 200,
        body: {
          items: [
            {
              id: 'host-a',
              enabled: true,
              appliedVersion: 8,
              lagEvents: 0,
              drift: 0,
              runningVms: 1,
            },
            {
              id: 'host-b',
              enabled: true,
              appliedVersion: 5,
              lagEvents: null,
              drift: 2,
              runningVms: 0,
            },
          ],
          nextCursor: null,
        },
      };
    };
    const { fetch } = fakeServices(projection);
    const table = await run(['--pool', 'lab', 'status'], fetch);
    expect(table.stdout).toContain('pool lab (Lab) at version 8: 1/2 enabled hosts at the head');
    expect(table.stdout).toMatch(/host-b\s+yes\s+5\s+3\s/);
    const status = await json(['status'], projection);
    expect(status.value).toMatchObject({ source: 'projection', pool: { version: 8 } });
  });

  it('status without the projection: the log head, applied versions unknown', async () => {
    const status = await json(['status'], projectionDown, masterLog);
    expect(status.value).toMatchObject({
      source: 'log',
      pool: { id: 'lab', version: LOG.length },
      hosts: [{ id: 'host-a', appliedVersion: null }],
    });
  });
});
