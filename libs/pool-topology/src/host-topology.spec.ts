import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, desiredState } from '@pool/vswitch';
import { hostTopology, toTopology } from './index.js';
import { cmd, commands, decideAll, HOSTS, SEED } from './testing/random-pool.js';

describe('hostTopology', () => {
  it('derives the same switches as the whole pool, for every host of random pools', () => {
    let ports = 0;
    let denying = 0;
    let remoteGroups = 0;
    let tunnels = 0;
    fc.assert(
      fc.property(commands(), (list) => {
        const { state } = decideAll([...SEED, ...list]);
        const whole = toTopology(state);
        for (const host of [...HOSTS, 'nobody']) {
          const expected = desiredState(whole, host);
          const placed = expected.bridges.flatMap((b) => b.ports);
          ports += placed.length;
          tunnels += expected.bridges.flatMap((b) => b.tunnels ?? []).length;
          denying += placed.filter((p) => p.aclDefault === 'deny').length;
          remoteGroups += placed
            .flatMap((p) => p.acls)
            .filter((r) => r.match.remotes?.some((cidr) => cidr.endsWith('/32'))).length;
          expect(canonicalJson(desiredState(hostTopology(state, host), host))).toBe(
            canonicalJson(expected),
          );
        }
      }),
      { numRuns: 300 },
    );
    // The property is only worth something if the random pools actually place VIFs.
    expect(ports).toBeGreaterThan(100);
    // ... and give some of them a default deny and a rule whose remote group has addresses.
    expect(denying).toBeGreaterThan(10);
    expect(remoteGroups).toBeGreaterThan(10);
    // ... and build overlay meshes (a host's tunnels come from other hosts' VMs).
    expect(tunnels).toBeGreaterThan(20);
  }, 60_000);

  it('leaves out other hosts, their VMs and the ACLs of networks it has no VIF on, keeps mirrors', () => {
    const pifs = [
      { device: 'eth0', mac: '00:16:3e:00:00:01', mtu: 1500, speedMbps: 0, carrier: true },
    ];
    const join = (hostId: string) =>
      cmd('JoinHost', { hostId, name: hostId, address: hostId, managementDevice: 'eth0', pifs });
    const { state } = decideAll([
      join('h1'),
      join('h2'),
      cmd('CreateNetwork', { networkId: 'a', name: 'a', purpose: 'vm', kind: 'private' }),
      cmd('CreateNetwork', { networkId: 'b', name: 'b', purpose: 'vm', kind: 'private' }),
      cmd('CreateVm', { vmId: 'vm1', name: 'vm1' }),
      cmd('CreateVm', { vmId: 'vm2', name: 'vm2' }),
      cmd('CreateVif', { vifId: 'v1', vmId: 'vm1', device: 0, networkId: 'a' }),
      cmd('CreateVif', { vifId: 'v2', vmId: 'vm2', device: 0, networkId: 'b' }),
      cmd('StartVm', { vmId: 'vm1', hostId: 'h1' }),
      cmd('StartVm', { vmId: 'vm2', hostId: 'h2' }),
      cmd('CreateAclRule', {
        ruleId: 'ra',
        scope: { kind: 'network', networkId: 'a' },
        direction: 'from-vm',
        priority: 1,
        match: { protocol: 'any' },
        action: 'drop',
      }),
      cmd('CreateAclRule', {
        ruleId: 'rb',
        scope: { kind: 'network', networkId: 'b' },
        direction: 'from-vm',
        priority: 1,
        match: { protocol: 'any' },
        action: 'drop',
      }),
    ]);
    const t = hostTopology(state, 'h1');
    const mirrored = decideAll([
      ...SEED,
      cmd('CreateVif', { vifId: 'v1', vmId: 'vm1', device: 0, networkId: 'n3' }),
      cmd('CreateVif', { vifId: 'v2', vmId: 'vm2', device: 0, networkId: 'n3' }),
      cmd('StartVm', { vmId: 'vm1', hostId: 'h1' }),
      cmd('StartVm', { vmId: 'vm2', hostId: 'h1' }),
      cmd('CreateMirror', {
        mirrorId: 'm1',
        source: { kind: 'vif', vifId: 'v1' },
        direction: 'both',
        destinationVifId: 'v2',
      }),
    ]).state;
    const withMirror = desiredState(hostTopology(mirrored, 'h1'), 'h1');
    expect(withMirror.bridges.flatMap((b) => b.mirrors)).toHaveLength(1);
    expect(canonicalJson(withMirror)).toBe(canonicalJson(desiredState(toTopology(mirrored), 'h1')));
    expect(t.hosts.map((h) => h.id)).toEqual(['h1']);
    expect(t.networks.map((n) => n.id)).toEqual(['a', 'b']);
    expect(t.vms.map((v) => v.id)).toEqual(['vm1']);
    expect(t.vifs.map((v) => v.id)).toEqual(['v1']);
    expect(t.acls.map((a) => a.id)).toEqual(['ra']);
  });
});
