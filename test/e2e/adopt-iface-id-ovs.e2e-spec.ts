/**
 * A member host with `VIF_BINDING=iface-id` on real Open vSwitch (issue 20): it creates no port
 * for a VIF; a started VM whose NIC libvirt has not plugged is not a host behind (the barrier
 * answers, naming the VIF not plugged); the veth "libvirt" then plugs, with libvirt's own
 * `ovs-vsctl` operations and under its own name, is adopted at once (no command, no timer) and
 * forwards; when libvirt removes it, the host reports the VIF not plugged and the other VM's
 * interface goes on forwarding.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeName } from '@pool/contracts';
import { NetnsLab } from '../../libs/vswitch/src/testing/netns-lab.js';
import {
  startPool,
  until,
  vlanWithVms,
  type Json,
  type TestPool,
} from './support/member-host-pool.js';
import { restCommand } from './support/master-rest.js';
import { missingOvsLab, realPart } from '../support/real-part.js';

const ovs = realPart(
  'Open vSwitch',
  missingOvsLab(['ovs-vsctl', 'ovs-ofctl', 'ovsdb-server', 'ovsdb-client', 'ip', 'ping']),
);

/** VM → [libvirt's device, MAC, address]. */
const VMS = {
  a: ['vnet0', '52:54:00:20:02:0a', '10.20.2.1'],
  b: ['vnet1', '52:54:00:20:02:0b', '10.20.2.2'],
} as const;
type Vm = keyof typeof VMS;

describe.skipIf(ovs.skip)('a member host adopting the interfaces libvirt plugs', () => {
  beforeAll(() => ovs.assertPresent());
  const pool = `adopt-${randomUUID().slice(0, 8)}`;
  const lab = new NetnsLab(`pe${process.pid % 100000}`);
  const vifIds = { a: randomUUID(), b: randomUUID() } as Record<Vm, string>;
  const networkId = randomUUID();
  const ns = {} as Record<Vm, string>;
  let p: TestPool;
  const portOf = async (vm: Vm): Promise<Json> =>
    ((await p.hosts.get('h1')!.status()).ports as Json[]).find((s) => s.vif === vifIds[vm]);
  /** What libvirt runs for `<virtualport type='openvswitch'>` (virNetDevOpenvswitchAddPort). */
  const libvirtPlug = (vm: Vm) => {
    const [device, mac] = VMS[vm];
    const set = (value: string) => ['--', 'set', 'Interface', device, value];
    return lab.vsctl('h1', [
      '--timeout=5',
      ...['--', '--if-exists', 'del-port', device],
      ...['--', 'add-port', bridgeName(networkId), device],
      ...set(`external-ids:attached-mac="${mac}"`),
      ...set(`external-ids:iface-id="${vifIds[vm]}"`),
      ...set(`external-ids:vm-id="${randomUUID()}"`),
      ...set('external-ids:iface-status=active'),
    ]);
  };

  beforeAll(async () => {
    p = await startPool(pool);
    await lab.start();
    await p.ok('CreatePool', { poolId: pool, name: 'adoption' });
    const labHost = await lab.addHost('h1', ['eth0']);
    await p.startHost('h1', {
      DRIVER: 'ovs',
      VIF_BINDING: 'iface-id',
      OVS_RUN_DIR: labHost.runDir,
      NETNS: labHost.netns,
      PIF_DEVICES: 'eth0',
      DRIFT_INTERVAL_MS: '3600000',
    });
    await until(async () => (await p.hosts.get('h1')!.status()).member === true, 'h1 to join');
    const vms = Object.entries(VMS).map(([vm, [, mac, ipv4]]) => [
      vm,
      { vifId: vifIds[vm as Vm], mac, ipv4, portSecurity: true },
    ]);
    await vlanWithVms(p, { networkId, vlan: 21 }, Object.fromEntries(vms));
  }, 180_000);

  afterAll(async () => {
    await p?.close();
    await lab.stop();
  });

  it('starts the VMs before libvirt plugs anything: applied, listed not plugged, no port made', async () => {
    for (const vm of ['a', 'b'] as const) {
      const answer = (await restCommand(
        p.masterBase(),
        'POST',
        `/pools/${pool}/vms/${vm}/start?wait=hosts&timeoutMs=20000`,
        { hostId: 'h1' },
      )) as Json;
      expect(answer.notPlugged).toContainEqual({ hostId: 'h1', vifId: vifIds[vm] });
    }
    expect(await portOf('a')).toMatchObject({ ready: true, forwarding: false, plugged: false });
    const ports = await lab.vsctl('h1', ['list-ports', bridgeName(networkId)]);
    expect(ports).not.toMatch(/pnv-/);
  });

  it('adopts what libvirt plugs at once, and it forwards', async () => {
    for (const [vm, [device, mac, ipv4]] of Object.entries(VMS)) {
      ns[vm as Vm] = await lab.addVm(vm, 'h1', device, mac, `${ipv4}/24`);
      const plugged = Date.now();
      await libvirtPlug(vm as Vm);
      await until(async () => {
        const s = await portOf(vm as Vm);
        return s?.forwarding === true && !('plugged' in s);
      }, `${device} adopted and forwarding`);
      expect(Date.now() - plugged).toBeLessThan(5000);
      // The host reports the hypervisor's device it adopted, for the read API and poolctl.
      expect(await portOf(vm as Vm)).toMatchObject({ device });
      const owner = await lab.vsctl('h1', ['get', 'Interface', device, 'external_ids:poolnet-vif']);
      expect(owner.trim().replace(/"/g, '')).toBe(vifIds[vm as Vm]);
    }
    expect(await lab.ping(ns.a, VMS.b[2])).toBe(true);
  });

  it('reports the VIF not plugged when libvirt removes it; the other VM goes on', async () => {
    await lab.vsctl('h1', ['--timeout=5', '--', '--if-exists', 'del-port', 'vnet0']);
    await lab.exec(lab.host('h1').netns, ['ip', 'link', 'del', 'vnet0']);
    await until(async () => (await portOf('a'))?.plugged === false, 'a reported not plugged');
    expect(await portOf('a')).not.toHaveProperty('device');
    expect(await portOf('b')).toMatchObject({ ready: true, forwarding: true, device: 'vnet1' });
    expect((await lab.vsctl('h1', ['list-ports', bridgeName(networkId)])).split('\n')).toContain(
      'vnet1',
    );
    expect(await lab.ping(ns.b, VMS.a[2])).toBe(false);
  });
});
