/**
 * Overlay networks on member hosts of the memory datapath, as real processes beside a pool
 * master (issue 19): hosts declare tunnel endpoints, an overlay network spans VMs on three
 * hosts, `wait: 'hosts'` returns once every host has its VXLAN mesh, the hosts' reports show
 * their tunnels, frames cross the hosts' switches as the memory fabric carries them, a tunnel
 * deleted by hand is put back, and a host killed and restarted rebuilds its mesh.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostDigest } from '@pool/pool-topology';
import {
  bridgeName,
  digest,
  MemoryFabric,
  MemoryVSwitchDriver,
  portName,
  reconcile,
  tunnelPortName,
  type HostSwitchState,
} from '@pool/vswitch';
import { startPool, until, type MemberHost, type TestPool } from './support/member-host-pool.js';

const pool = `mho-${randomUUID().slice(0, 8)}`;
let p: TestPool;
const host = (name: string): MemberHost => p.hosts.get(name)!;
const HOSTS = ['h1', 'h2', 'h3'];
const ENDPOINT: Record<string, string> = { h1: '192.0.2.1', h2: '192.0.2.2', h3: '192.0.2.3' };
const FAST = { DRIFT_INTERVAL_MS: '300' };

beforeAll(async () => {
  p = await startPool(pool);
  await p.ok('CreatePool', { poolId: pool, name: 'Overlay hosts' });
  await Promise.all(HOSTS.map((name) => p.startHost(name, FAST)));
  for (const name of HOSTS) {
    await until(async () => (await host(name).status()).member === true, `${name} to join`);
  }
});

afterAll(() => p?.close());

const overlay = (networkId: string) =>
  p.command('CreateNetwork', { networkId, name: networkId, purpose: 'vm', kind: 'overlay' });

/** A running VM `id` with one VIF `<id>-0` on `networkId`. */
async function vm(id: string, hostId: string, networkId: string, extra = {}) {
  await p.ok('CreateVm', { vmId: id, name: id });
  await p.ok('CreateVif', { vifId: `${id}-0`, vmId: id, device: 0, networkId });
  return p.command('StartVm', { vmId: id, hostId }, extra);
}

const switchOf = async (h: MemberHost) =>
  (await (await fetch(`${h.base}/testing/datapath`)).json()) as HostSwitchState;

const remotesOn = (state: HostSwitchState, networkId: string) =>
  state.bridges
    .find((b) => b.networkId === networkId)
    ?.tunnels?.map((t) => `${t.remoteHost}@${t.remoteIp}#${t.vni}`)
    .sort();

/** The tunnels in the latest report of `name` that carries them, by network. */
const lastTunnels = async (name: string) =>
  (await p.reports(name))
    .filter((r) => r.tunnels !== undefined)
    .at(-1)
    ?.tunnels?.sort((a, b) => a.network.localeCompare(b.network));

describe('overlay networks on member hosts of the memory datapath', () => {
  it('refuses an overlay until every enabled host declares a tunnel endpoint', async () => {
    const refused = await overlay('ov');
    expect(refused).toMatchObject({ ok: false, error: { code: 'TUNNEL_ENDPOINT_MISSING' } });
    for (const name of HOSTS) {
      await p.ok('SetTunnelEndpoint', { hostId: name, device: 'eth0', address: ENDPOINT[name] });
    }
    for (const id of ['ov', 'ov2']) expect((await overlay(id)).ok).toBe(true);
  });

  it("meshes the hosts of each network, and `wait: 'hosts'` returns once all have it", async () => {
    await vm('a', 'h1', 'ov');
    await vm('b', 'h2', 'ov');
    await vm('x', 'h1', 'ov2');
    await vm('y', 'h2', 'ov2');
    const reply = await vm('c', 'h3', 'ov', { wait: 'hosts', waitTimeoutMs: 20_000 });
    expect(reply.ok).toBe(true);
    if (!reply.ok) return;
    expect(Object.keys(reply.result.hosts ?? {}).sort()).toEqual(HOSTS);

    const { state } = await p.logState();
    const vni = (id: string) => {
      const network = state.networks.get(id);
      return network?.kind === 'overlay' ? network.vni : undefined;
    };
    expect(vni('ov')).not.toBe(vni('ov2'));
    for (const name of HOSTS) {
      const { digest: expected } = await p.converged(host(name));
      expect(digest(await switchOf(host(name)))).toBe(expected);
      expect(expected).toBe(hostDigest(state, name));
    }
    const [h1, h2, h3] = await Promise.all(HOSTS.map((n) => switchOf(host(n))));
    expect(remotesOn(h1!, 'ov')).toEqual([
      `h2@192.0.2.2#${vni('ov')}`,
      `h3@192.0.2.3#${vni('ov')}`,
    ]);
    expect(remotesOn(h3!, 'ov')).toEqual([
      `h1@192.0.2.1#${vni('ov')}`,
      `h2@192.0.2.2#${vni('ov')}`,
    ]);
    expect(remotesOn(h2!, 'ov2')).toEqual([`h1@192.0.2.1#${vni('ov2')}`]);
    expect(remotesOn(h3!, 'ov2')).toBeUndefined(); // no VM of ov2 there: no bridge, no tunnel

    await until(async () => (await lastTunnels('h3'))?.length === 1, 'h3 to report its tunnels');
    expect(await lastTunnels('h1')).toEqual([
      { network: 'ov', vni: vni('ov'), expected: 2, applied: 2 },
      { network: 'ov2', vni: vni('ov2'), expected: 1, applied: 1 },
    ]);
    expect(await lastTunnels('h3')).toEqual([
      { network: 'ov', vni: vni('ov'), expected: 2, applied: 2 },
    ]);
    expect((await host('h2').status()).tunnels).toHaveLength(2);
  });

  it("carries a VM's frames to its network's VMs on the other hosts' switches, and no further", async () => {
    // The three hosts' switches as they are, each on a memory datapath of its own, on one underlay.
    const fabric = new MemoryFabric();
    for (const name of HOSTS) {
      const driver = new MemoryVSwitchDriver();
      await reconcile(driver, await switchOf(host(name)));
      fabric.attach(name, driver.datapath);
    }
    const vmOf = (port: string) =>
      ['a', 'b', 'c', 'x', 'y'].find((id) => portName(`${id}-0`) === port);
    const flood = (from: string, name: string) => {
      const { delivered, underlay } = fabric.send(from, portName(`${name}-0`), { packet: 'arp' });
      return { got: delivered.map((d) => vmOf(d.port)).sort(), copies: underlay.length };
    };
    expect(flood('h1', 'a')).toEqual({ got: ['b', 'c'], copies: 2 });
    expect(flood('h3', 'c')).toEqual({ got: ['a', 'b'], copies: 2 });
    expect(flood('h2', 'y')).toEqual({ got: ['x'], copies: 1 });
  });

  it('puts back a tunnel deleted by hand and reports the drift', async () => {
    const tunnel = tunnelPortName('ov', 'h3');
    const res = await fetch(`${host('h2').base}/testing/drift`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'deletePort', port: tunnel }),
    });
    expect(res.status).toBe(204);
    await until(
      async () =>
        (await p.reports('h2')).some((r) =>
          r.drift?.some((d) => d.kind === 'setBridgeTunnels' && d.object === bridgeName('ov')),
        ),
      'a drift report of the tunnel',
    );
    const { digest: expected } = await p.converged(host('h2'));
    expect(digest(await switchOf(host('h2')))).toBe(expected);
  });

  it('rebuilds the mesh of a host killed and restarted, from its state dir', async () => {
    host('h3').kill();
    await host('h3').running.exit;
    // The pool moves on while it is down: a fourth VM of ov, on h1.
    await vm('d', 'h1', 'ov');
    const back = await p.startHost('h3', FAST);
    await p.converged(back);
    for (const name of HOSTS) await p.converged(host(name));
    const h3 = await switchOf(back);
    expect(remotesOn(h3, 'ov')?.map((r) => r.split('@')[0])).toEqual(['h1', 'h2']);
    await until(
      async () => (await lastTunnels('h3'))?.[0]?.applied === 2,
      'h3 to report its tunnels again',
    );
  });
});
