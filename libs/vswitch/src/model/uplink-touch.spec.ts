import { describe, expect, it } from 'vitest';
import { managementInterface, topology } from '../testing/topology-builder.js';
import { desiredState } from './desired-state.js';
import type { PoolTopology, TopologyHostInterface } from './topology.js';
import { touchesUplinks, uplinkShape } from './uplink-touch.js';

const withInterfaces = (t: PoolTopology, interfaces: TopologyHostInterface[]): PoolTopology => ({
  ...t,
  hosts: t.hosts.map((h) => (h.id === 'h1' ? { ...h, interfaces } : h)),
});

const base = () => topology().host('h1', ['eth0']).build();
const onHost = (interfaces: TopologyHostInterface[]) =>
  desiredState(withInterfaces(base(), interfaces), 'h1');

describe('what the network watchdog watches (uplinkShape)', () => {
  it('counts a move of the management interface onto a VLAN: it can cut the host off', () => {
    const before = onHost([managementInterface()]);
    const after = onHost([managementInterface({ vlan: 99 })]);
    // The uplink bridges are the same (mgmt0 was on eth0's bridge already): only the tag moved.
    expect(after.uplinks).toEqual(before.uplinks);
    expect(touchesUplinks(before, after)).toBe(true);
  });

  it('counts the management address taken from the PIF into an internal port', () => {
    const onPif = onHost([managementInterface({ placement: 'pif' })]);
    expect(touchesUplinks(onPif, onHost([managementInterface()]))).toBe(true);
  });

  it('counts a new address or gateway, and a change of the management DNS servers', () => {
    const before = onHost([managementInterface()]);
    const ipv4 = { mode: 'static' as const, address: '192.0.2.12/24', gateway: '192.0.2.1' };
    expect(touchesUplinks(before, onHost([managementInterface({ ipv4 })]))).toBe(true);
    // NATS addressed by name: a wrong resolver cuts the host off as surely as a wrong VLAN.
    const dns = (servers: string[]) => onHost([managementInterface({ dns: servers })]);
    expect(touchesUplinks(dns(['192.0.2.53']), dns(['192.0.2.54']))).toBe(true);
    expect(touchesUplinks(dns(['192.0.2.53']), dns([]))).toBe(true);
    expect(touchesUplinks(dns(['192.0.2.53']), dns(['192.0.2.53']))).toBe(false);
  });

  it("leaves a storage interface's DNS servers out (the resolver never takes them)", () => {
    const storage = (dns: string[]) =>
      onHost([
        managementInterface(),
        { ...managementInterface(), name: 'stor0', purpose: 'storage', dns },
      ]);
    expect(touchesUplinks(storage([]), storage(['192.0.2.54']))).toBe(false);
  });

  it('prints a host without interfaces as before they counted (a saved hold still matches)', () => {
    const state = desiredState(base(), 'h1');
    expect(uplinkShape(state)).not.toContain('interfaces');
  });
});
