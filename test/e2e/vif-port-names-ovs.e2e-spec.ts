/**
 * An operator (or a hypervisor) can find a VM's port before it exists (issue 24 item 2). The
 * read API, the address registry and `poolctl vif show` name each VIF's Open vSwitch port and
 * bridge from the log alone; the hypervisor, here the netns lab, creates the VIF's device under
 * the name it READ from the API (nothing here computes a name), and the member host then puts
 * that device on that bridge in real OVS, where it forwards.
 *
 * And a VM started before its NIC is plugged is not a host behind (item 3): `StartVm?wait=hosts`
 * answers at once, listing the VIF as not plugged (so does the read API), and the port forwards
 * as soon as the device appears: no new command, no restart, and no drift timer either (the
 * member hosts' is set far beyond the test).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsLab } from '../../libs/vswitch/src/testing/netns-lab.js';
import {
  startPool,
  until,
  vlanWithVms,
  type Json,
  type TestPool,
} from './support/member-host-pool.js';
import { startProjection, type ProjectionProcess } from './support/migration-pool.js';
import { runBuiltPoolctl } from './support/poolctl-cli.js';
import { restCommand } from './support/master-rest.js';
import { missingOvsLab, realPart } from '../support/real-part.js';

const ovs = realPart(
  'Open vSwitch',
  missingOvsLab(['ovs-vsctl', 'ovs-ofctl', 'ovsdb-server', 'ip', 'ping']),
);

/** VM → [host, MAC, address]: one on each host, on one VLAN network. */
const VMS = {
  a: ['h1', '02:00:00:00:24:01', '10.24.0.1'],
  b: ['h2', '02:00:00:00:24:02', '10.24.0.2'],
} as const;
type Vm = keyof typeof VMS;

describe.skipIf(ovs.skip)('VIF port names on real Open vSwitch', () => {
  beforeAll(() => ovs.assertPresent());
  const pool = `names-${randomUUID().slice(0, 8)}`;
  const lab = new NetnsLab(`pv${process.pid % 100000}`);
  /** Random ids: a name the API shows cannot have been written into this test. */
  const vifIds = { a: randomUUID(), b: randomUUID() } as Record<Vm, string>;
  const networkId = randomUUID();
  const hostNetns: Record<string, string> = {};
  const vmNetns = {} as Record<Vm, string>;
  let p: TestPool;
  let projection: ProjectionProcess;

  /** A read API answer; null until the projection has the pool and the object. */
  const read = async (path: string): Promise<Json> => {
    const response = await fetch(`${projection.base}/api/pools/${pool}${path}`);
    return response.status === 200 ? response.json() : null;
  };
  const vifOf = async (vm: Vm): Promise<Json> =>
    (await read(`/vms/${vm}`))?.vifs.find((v: Json) => v.id === vifIds[vm]);
  const poolctl = (args: string[]) =>
    runBuiltPoolctl(args, {
      POOLNET_MASTER: p.masterBase(),
      POOLNET_PROJECTION: projection.base,
      POOLNET_POOL: pool,
    });
  /** Whether the host's kernel has a network device of that name. */
  const deviceExists = (host: string, name: string) =>
    lab.exec(hostNetns[host]!, ['ip', 'link', 'show', name]).then(
      () => true,
      () => false,
    );

  beforeAll(async () => {
    p = await startPool(pool);
    await lab.start();
    await p.ok('CreatePool', { poolId: pool, name: 'port names' });
    for (const id of ['h1', 'h2']) {
      const labHost = await lab.addHost(id, ['eth0']);
      hostNetns[id] = labHost.netns;
      await p.startHost(id, {
        DRIVER: 'ovs',
        OVS_RUN_DIR: labHost.runDir,
        NETNS: labHost.netns,
        PIF_DEVICES: 'eth0',
        DRIFT_INTERVAL_MS: '3600000',
      });
    }
    for (const h of p.hosts.values()) {
      await until(async () => (await h.status()).member === true, `${h.name} to join`);
    }
    projection = await startProjection(p);
    const vms = Object.entries(VMS).map(([vm, [, mac, ipv4]]) => [
      vm,
      { vifId: vifIds[vm as Vm], mac, ipv4 },
    ]);
    await vlanWithVms(p, { networkId, vlan: 24 }, Object.fromEntries(vms));
  }, 180_000);

  afterAll(async () => {
    await projection?.stop();
    await p?.close();
    await lab.stop();
  });

  it('names the port and bridge of a halted VM, which is on no host yet', async () => {
    await until(
      async () => (await vifOf('a')) !== undefined && (await vifOf('b')) !== undefined,
      'the projection to show both VIFs',
    );
    const vif = await vifOf('a');
    expect(vif.port).toMatch(/^pnv-[0-9a-f]{10}$/);
    expect(vif.bridge).toMatch(/^pnb-[0-9a-f]{10}$/);
    expect(vif.ports).toEqual([]);
    expect((await vifOf('b')).port).not.toBe(vif.port);
    expect((await vifOf('b')).bridge).toBe(vif.bridge);
  });

  it('places the port on the host a VM starts on, before any device exists', async () => {
    for (const [vm, [host]] of Object.entries(VMS)) {
      // The host applies the start without the device: the barrier answers, naming the VIF.
      const started = Date.now();
      const answer = (await restCommand(
        p.masterBase(),
        'POST',
        `/pools/${pool}/vms/${vm}/start?wait=hosts&timeoutMs=20000`,
        { hostId: host },
      )) as Json;
      expect(Date.now() - started).toBeLessThan(5000);
      expect(answer.hosts[host]).toBeGreaterThanOrEqual(answer.version);
      expect(answer.notPlugged).toContainEqual({ hostId: host, vifId: vifIds[vm as Vm] });
      const status = await p.hosts.get(host)!.status();
      expect(status.ports).toContainEqual({
        vif: vifIds[vm as Vm],
        ready: true,
        forwarding: false,
        plugged: false,
      });
    }
    for (const [vm, [host, , ipv4]] of Object.entries(VMS)) {
      // Placed by the log; not plugged, by the host's report.
      await until(
        async () => (await vifOf(vm as Vm))?.ports[0]?.plugged === false,
        `the projection to place ${vm}, not plugged`,
      );
      const vif = await vifOf(vm as Vm);
      expect(vif.ports).toEqual([
        { hostId: host, port: vif.port, bridge: vif.bridge, role: 'active', plugged: false },
      ]);
      const hostView = await read(`/hosts/${host}`);
      expect(hostView.ports).toContainEqual({
        vifId: vifIds[vm as Vm],
        ready: true,
        forwarding: false,
        plugged: false,
      });
      expect(await deviceExists(host, vif.port)).toBe(false);

      // The address registry says the same for the VIF's address.
      const [address] = (await read(`/addresses?ip=${ipv4}`)).items;
      expect(address).toMatchObject({
        vifId: vifIds[vm as Vm],
        port: vif.port,
        bridge: vif.bridge,
      });
      expect(address.ports).toEqual(vif.ports);

      // And so does poolctl, as JSON and for people.
      const json = await poolctl(['-o', 'json', 'vif', 'show', vifIds[vm as Vm]]);
      expect(json.code, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({
        vmId: vm,
        port: vif.port,
        bridge: vif.bridge,
      });
      const text = await poolctl(['vif', 'show', vifIds[vm as Vm]]);
      expect(text.stdout).toMatch(new RegExp(`^port \\(device name\\): +${vif.port}$`, 'm'));
      expect(text.stdout).toContain(`${host}: ${vif.port} on ${vif.bridge} (not plugged)`);
    }
  });

  it('puts the device the hypervisor creates under that name on that bridge, and it forwards', async () => {
    const plugged = {} as Record<Vm, number>;
    for (const [vm, [host, mac, ipv4]] of Object.entries(VMS)) {
      const { port } = await vifOf(vm as Vm);
      vmNetns[vm as Vm] = await lab.addVm(vm, host, port, mac, `${ipv4}/24`);
      plugged[vm as Vm] = Date.now();
    }
    for (const [vm, [host]] of Object.entries(VMS)) {
      const { port, bridge } = await vifOf(vm as Vm);
      expect(await deviceExists(host, port)).toBe(true);
      const ofport = () => lab.vsctl(host, ['get', 'Interface', port, 'ofport']);
      await until(async () => Number(await ofport().catch(() => '-1')) > 0, `${port} attached`);
      expect((await lab.vsctl(host, ['port-to-br', port])).trim()).toBe(bridge);
      const iface = await lab.vsctl(host, ['get', 'Interface', port, 'external_ids:iface-id']);
      expect(iface.trim()).toBe(`"${vifIds[vm as Vm]}"`);
      const h = p.hosts.get(host)!;
      await until(
        async () =>
          (await h.status()).ports.some(
            (s: Json) => s.vif === vifIds[vm as Vm] && s.ready && s.forwarding && !('plugged' in s),
          ),
        `${host} to report ${port} plugged and forwarding`,
      );
      // Seen by the host's watch on its switch, not by a retry or a timer minutes later.
      expect(Date.now() - plugged[vm as Vm]).toBeLessThan(5000);
      await until(
        async () => (await vifOf(vm as Vm))?.ports[0]?.plugged === undefined,
        `the projection to show ${port} plugged`,
      );
    }
    expect(await lab.ping(vmNetns.a, VMS.b[2])).toBe(true);
  });
});
