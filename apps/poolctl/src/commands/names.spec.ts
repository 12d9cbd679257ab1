import { poolEvent, replayPool, type PoolEvent } from '@pool/domain';
import { describe, expect, it } from 'vitest';
import { hostDetail, hostView, networkViews, vmView } from '../read/log-views.js';
import {
  fakeServices,
  MASTER,
  outcome,
  PROJECTION,
  run,
  type SeenRequest,
} from '../testing/fake-services.js';

/*
 * Names for ids, against a pool whose log is `events`: the master knows all of it; the
 * projection has applied the first `projected` events only (it lags), and answers from that.
 * Commands are refused 404 for an id the master does not know, as the decider does.
 */

const host = (hostId: string, name: string) =>
  poolEvent('HostJoined', {
    hostId,
    name,
    address: `${hostId}.test`,
    pifs: [
      {
        device: 'eth0',
        mac: '52:54:00:00:00:01',
        mtu: 1500,
        speedMbps: 1000,
        carrier: true,
        role: 'management',
      },
    ],
    joinedAt: '2026-01-01T00:00:00.000Z',
  });
const vm = (vmId: string, name: string) => poolEvent('VmCreated', { vmId, name });
const network = (networkId: string, name: string) =>
  poolEvent('NetworkCreated', { networkId, name, purpose: 'vm', mtu: 1500, kind: 'private' });

const base: PoolEvent[] = [
  poolEvent('PoolCreated', { poolId: 'lab', name: 'Lab', createdAt: '2026-01-01T00:00:00.000Z' }),
  host('h-1', 'alpha'),
  host('h-2', 'beta'),
  network('n-1', 'prod'),
  vm('v-web', 'web'),
  vm('v-t1', 'twin'),
  vm('v-t2', 'twin'),
  // An id that is also another VM's name: the id wins.
  vm('db', 'database'),
  vm('v-db', 'db'),
];

const envelope = (event: PoolEvent, index: number) => ({
  id: `e${index + 1}`,
  pool: 'lab',
  version: index + 1,
  position: `0:0:${index + 1}`,
  type: event.type,
  schemaVersion: event.schemaVersion,
  data: event.data,
  metadata: {},
  createdAt: '2026-01-01T00:00:00.000Z',
});

const notFound = (code: string) => ({ status: 404, body: { code, message: `${code}.` } });
const page = (items: unknown[]) => ({ status: 200, body: { items, nextCursor: null } });

function pool(events: PoolEvent[], projected = events.length, projection: 'up' | 'down' = 'up') {
  const head = replayPool(events);
  const seen = replayPool(events.slice(0, projected));
  const projectionRoute = (r: SeenRequest) => {
    if (r.url.origin !== PROJECTION) return undefined;
    if (projection === 'down') return 'refuse' as const;
    const [, , , , kind, id] = decodeURIComponent(r.url.pathname).split('/');
    if (kind === undefined) return { status: 200, body: { id: 'lab', version: projected } };
    if (kind === 'vms' && id === undefined) {
      const on = r.url.searchParams.get('host');
      const vms = [...seen.vms.values()].filter((v) => on === null || v.residentHostId === on);
      return page(vms.map((v) => vmView(seen, v)));
    }
    if (kind === 'vms') {
      const found = seen.vms.get(id!);
      return found ? { status: 200, body: vmView(seen, found) } : notFound('VM_NOT_FOUND');
    }
    if (kind === 'hosts' && id === undefined) {
      return page([...seen.hosts.values()].map((h) => hostView(seen, h)));
    }
    if (kind === 'hosts') {
      const found = seen.hosts.get(id!);
      return found ? { status: 200, body: hostDetail(seen, found) } : notFound('HOST_NOT_FOUND');
    }
    if (kind === 'networks' && id === undefined) return page(networkViews(seen));
    if (kind === 'networks') {
      const found = networkViews(seen).find((n) => n.id === id);
      return found ? { status: 200, body: found } : notFound('NETWORK_NOT_FOUND');
    }
    return undefined;
  };
  const masterRoute = (r: SeenRequest) => {
    if (r.url.origin !== MASTER) return undefined;
    if (r.method === 'GET') {
      const after = Number(r.url.searchParams.get('after') ?? 0);
      const later = events.map(envelope).filter((e) => e.version > after);
      return {
        status: 200,
        body: { pool: 'lab', events: later, next: later.at(-1)?.version ?? after },
      };
    }
    const path = decodeURIComponent(r.url.pathname).split('/');
    const body = (r.body ?? {}) as Record<string, string>;
    if (path[3] === 'vms' && path[4] !== undefined && !head.vms.has(path[4])) {
      return notFound('VM_NOT_FOUND');
    }
    if (path[3] === 'hosts' && path[4] !== undefined && !head.hosts.has(path[4])) {
      return notFound('HOST_NOT_FOUND');
    }
    const hostId = body.hostId ?? body.toHostId;
    if (hostId !== undefined && !head.hosts.has(hostId)) return notFound('HOST_NOT_FOUND');
    const networkId = path[3] === 'networks' ? path[4] : body.networkId;
    if (networkId !== undefined && !head.networks.has(networkId)) {
      return notFound('NETWORK_NOT_FOUND');
    }
    return { status: 200, body: outcome({ version: events.length }) };
  };
  return fakeServices(projectionRoute, masterRoute);
}

const commandsIn = (seen: SeenRequest[]) =>
  seen.filter((r) => r.method !== 'GET').map((r) => decodeURIComponent(r.url.pathname));
const poolctl = (argv: string[], fetch: typeof globalThis.fetch) =>
  run(['--pool', 'lab', ...argv], fetch);

describe('names for ids, on writes', () => {
  it('sends an id as given, reading nothing', async () => {
    const { fetch, seen } = pool(base);
    const result = await poolctl(['vm', 'stop', 'v-web'], fetch);
    expect(result.code).toBe(0);
    expect(seen.map((r) => r.method)).toEqual(['POST']);
  });

  it('looks a name up once the master knows no such id, and sends again with the id', async () => {
    const { fetch, seen } = pool(base);
    const result = await poolctl(['vm', 'stop', 'web'], fetch);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(commandsIn(seen)).toEqual(['/pools/lab/vms/web/stop', '/pools/lab/vms/v-web/stop']);
  });

  it('resolves each reference of a verb: the VM and the host', async () => {
    const { fetch, seen } = pool(base);
    const result = await poolctl(['vm', 'migrate', 'web', '--to', 'beta', '--id', 'm1'], fetch);
    expect(result).toMatchObject({ code: 0, stdout: 'm1\n' });
    const last = seen.filter((r) => r.method === 'POST').at(-1)!;
    expect(decodeURIComponent(last.url.pathname)).toBe('/pools/lab/vms/v-web/migrate');
    expect(last.body).toEqual({ migrationId: 'm1', toHostId: 'h-2' });
  });

  it('refuses an ambiguous name with exit 6, listing the ids, and sends nothing more', async () => {
    const { fetch, seen } = pool(base);
    const result = await poolctl(['vm', 'destroy', 'twin'], fetch);
    expect(result).toEqual({
      code: 6,
      stdout: '',
      stderr: "poolctl: 'twin' names 2 VMs: v-t1, v-t2; give an id (AMBIGUOUS_NAME)\n",
    });
    expect(commandsIn(seen)).toEqual(['/pools/lab/vms/twin']);
  });

  it("reports the master's NOT_FOUND when no name matches either", async () => {
    const { fetch, seen } = pool(base);
    const result = await poolctl(['network', 'destroy', 'nowhere'], fetch);
    expect(result).toMatchObject({
      code: 1,
      stderr: 'poolctl: NETWORK_NOT_FOUND. (NETWORK_NOT_FOUND)\n',
    });
    expect(commandsIn(seen)).toEqual(['/pools/lab/networks/nowhere']);
  });

  it('looks up first a name that cannot be an id', async () => {
    const { fetch, seen } = pool([...base, vm('v-sp', 'web 2')]);
    const result = await poolctl(['vif', 'create', 'web 2', '--network', 'prod'], fetch);
    expect(result.code).toBe(0);
    // The VM at once (not an id); the network after the master knew no network 'prod'.
    expect(commandsIn(seen)).toEqual(['/pools/lab/vms/v-sp/vifs', '/pools/lab/vms/v-sp/vifs']);
    expect(seen.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([
      { networkId: 'prod' },
      { networkId: 'n-1' },
    ]);
  });

  it('resolves a name created after the projection last caught up, from the master', async () => {
    const events = [
      ...base,
      vm('v-new', 'fresh'),
      poolEvent('VmRenamed', { vmId: 'v-web', name: 'www' }),
    ];
    const { fetch, seen } = pool(events, base.length);
    expect((await poolctl(['vm', 'stop', 'fresh'], fetch)).code).toBe(0);
    expect(commandsIn(seen).at(-1)).toBe('/pools/lab/vms/v-new/stop');
    // The rename too: the old name is gone, the new one names the VM.
    expect((await poolctl(['vm', 'stop', 'www'], fetch)).code).toBe(0);
    expect(commandsIn(seen).at(-1)).toBe('/pools/lab/vms/v-web/stop');
    const old = await poolctl(['vm', 'stop', 'web'], fetch);
    expect(old.stderr).toContain('(VM_NOT_FOUND)');
  });

  it("sees a name made ambiguous after the projection's version", async () => {
    const { fetch } = pool([...base, vm('v-web2', 'web')], base.length);
    const result = await poolctl(['vm', 'stop', 'web'], fetch);
    expect(result.code).toBe(6);
    expect(result.stderr).toContain("'web' names 2 VMs: v-web, v-web2");
  });

  it('folds the master log when the projection is down', async () => {
    const { fetch, seen } = pool(base, base.length, 'down');
    const result = await poolctl(['host', 'disable', 'alpha'], fetch);
    expect(result.code).toBe(0);
    expect(commandsIn(seen).at(-1)).toBe('/pools/lab/hosts/h-1/disable');
    expect(result.stderr).toContain("reading the master's log instead");
  });
});

describe('names for ids, on reads', () => {
  it('shows a VM by name, a host by name, a network by name', async () => {
    const { fetch } = pool(base);
    const shown = await poolctl(['-o', 'json', 'vm', 'show', 'web'], fetch);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: 'v-web', name: 'web' });
    const host = await poolctl(['-o', 'json', 'host', 'show', 'beta'], fetch);
    expect(JSON.parse(host.stdout)).toMatchObject({ id: 'h-2', name: 'beta' });
    const net = await poolctl(['-o', 'json', 'network', 'show', 'prod'], fetch);
    expect(JSON.parse(net.stdout)).toMatchObject({ id: 'n-1' });
  });

  it('takes an id over a name', async () => {
    const { fetch } = pool(base);
    const shown = await poolctl(['-o', 'json', 'vm', 'show', 'db'], fetch);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: 'db', name: 'database' });
    const byName = await poolctl(['-o', 'json', 'vm', 'show', 'database'], fetch);
    expect(JSON.parse(byName.stdout)).toMatchObject({ id: 'db' });
  });

  it('refuses an ambiguous name on show too', async () => {
    const { fetch } = pool(base);
    const result = await poolctl(['vm', 'show', 'twin'], fetch);
    expect(result).toMatchObject({ code: 6, stdout: '' });
    expect(result.stderr).toContain('(AMBIGUOUS_NAME)');
  });

  it('filters lists by a host or VM name', async () => {
    const events = [...base, poolEvent('VmStarted', { vmId: 'v-web', hostId: 'h-1' })];
    const { fetch } = pool(events);
    const vms = await poolctl(['-o', 'json', 'vm', 'list', '--host', 'alpha'], fetch);
    expect(JSON.parse(vms.stdout).map((v: { id: string }) => v.id)).toEqual(['v-web']);
    const pifs = await poolctl(['-o', 'json', 'pif', 'list', '--host', 'alpha'], fetch);
    expect(JSON.parse(pifs.stdout)).toEqual([expect.objectContaining({ hostId: 'h-1' })]);
    const vifs = await poolctl(['-o', 'json', 'vif', 'list', '--vm', 'web'], fetch);
    expect(vifs).toMatchObject({ code: 0, stdout: '[]\n' });
  });
});
