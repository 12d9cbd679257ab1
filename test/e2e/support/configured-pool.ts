/** One REST call of a pool's setup: method, path and JSON body. */
export type SetupStep = [method: string, path: string, body?: unknown];

/** A NIC of an inventory: its MAC made from the host number and the device. */
export const pif = (device: string, host: number) => ({
  device,
  mac: `00:16:3e:00:0${host}:0${device.at(-1)}`,
  mtu: 1500,
  speedMbps: 10_000,
  carrier: true,
});

/**
 * A pool with something of every kind for bad requests to run into: two hosts (host-a with five
 * NICs, eth2 and eth3 bonded as bond0; host-b with two), an external VLAN network `ext` on eth1
 * and a private one `priv`, VM `web` running on host-a with VIF `web-0` (a MAC and an IPv4 on
 * ext), VM `idle` halted, and an ACL rule `https` on ext.
 */
export function configuredPool(pool: string, name: string): SetupStep[] {
  const p = `/pools/${pool}`;
  return [
    ['POST', '/pools', { poolId: pool, name }],
    [
      'POST',
      `${p}/hosts`,
      {
        hostId: 'host-a',
        name: 'host-a',
        address: '192.0.2.11',
        pifs: ['eth0', 'eth1', 'eth2', 'eth3', 'eth4'].map((d) => pif(d, 1)),
        managementDevice: 'eth0',
      },
    ],
    [
      'POST',
      `${p}/hosts`,
      {
        hostId: 'host-b',
        name: 'host-b',
        address: '192.0.2.12',
        pifs: [pif('eth0', 2), pif('eth1', 2)],
        managementDevice: 'eth0',
      },
    ],
    [
      'POST',
      `${p}/bonds`,
      {
        bondId: 'bond0',
        hostId: 'host-a',
        device: 'bond0',
        members: ['eth2', 'eth3'],
        mode: 'lacp',
      },
    ],
    [
      'POST',
      `${p}/networks`,
      { networkId: 'ext', name: 'ext', purpose: 'vm', kind: 'external', device: 'eth1', vlan: 100 },
    ],
    ['POST', `${p}/networks`, { networkId: 'priv', name: 'priv', purpose: 'vm', kind: 'private' }],
    ['POST', `${p}/vms`, { vmId: 'web', name: 'web' }],
    [
      'POST',
      `${p}/vms/web/vifs`,
      { vifId: 'web-0', device: 0, networkId: 'ext', mac: '02:aa:bb:cc:dd:01', ipv4: '192.0.2.10' },
    ],
    ['POST', `${p}/vms/web/start`, { hostId: 'host-a' }],
    ['POST', `${p}/vms`, { vmId: 'idle', name: 'idle' }],
    [
      'POST',
      `${p}/acls`,
      {
        ruleId: 'https',
        scope: { kind: 'network', networkId: 'ext' },
        direction: 'from-vm',
        priority: 100,
        match: { protocol: 'tcp', portFrom: 443 },
        action: 'allow',
      },
    ],
  ];
}
