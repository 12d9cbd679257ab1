/**
 * The demo pool a fresh `docker compose up` (or `npm start`) shows: three hosts whose eth0 is
 * management, eth1 carries VM VLANs and eth2 storage; a web tier and a database tier on two
 * VLANs, a private back-end network, QoS on the web VIFs, port security and an ACL on the
 * database. Every step has a fixed idempotency key, so a seed that died half-way just runs again.
 */
export interface SeedStep {
  key: string;
  method: 'POST' | 'PUT';
  path: string;
  body: Record<string, unknown>;
}

export function demoPoolSteps(pool: string, hosts: readonly string[]): SeedStep[] {
  const steps: SeedStep[] = [];
  const add = (key: string, method: SeedStep['method'], path: string, body: object) =>
    steps.push({ key, method, path: `/pools/${pool}${path}`, body: { ...body } });

  for (const host of hosts) {
    add(`pif-${host}-eth1`, 'PUT', `/hosts/${host}/pifs/eth1`, { role: 'vm' });
    add(`pif-${host}-eth2`, 'PUT', `/hosts/${host}/pifs/eth2`, { role: 'storage' });
  }
  const network = (networkId: string, body: object) =>
    add(`network-${networkId}`, 'POST', '/networks', { networkId, ...body });
  network('web', {
    name: 'VLAN 10 web',
    kind: 'external',
    device: 'eth1',
    vlan: 10,
    purpose: 'vm',
  });
  network('db', { name: 'VLAN 20 db', kind: 'external', device: 'eth1', vlan: 20, purpose: 'vm' });
  network('storage', { name: 'Storage', kind: 'external', device: 'eth2', purpose: 'storage' });
  network('backend', { name: 'Back end', kind: 'private', purpose: 'vm', mtu: 9000 });

  const webQos = {
    ingressKbps: 100_000,
    ingressBurstKb: 1_000,
    egressKbps: 100_000,
    egressBurstKb: 1_000,
  };
  const vms: { id: string; host: string; vifs: Record<string, unknown>[] }[] = [
    {
      id: 'web-1',
      host: hosts[0]!,
      vifs: [{ networkId: 'web', ipv4: '10.0.10.11', qos: webQos }],
    },
    {
      id: 'web-2',
      host: hosts[1 % hosts.length]!,
      vifs: [{ networkId: 'web', ipv4: '10.0.10.12', qos: webQos }],
    },
    {
      id: 'app-1',
      host: hosts[2 % hosts.length]!,
      vifs: [
        { networkId: 'web', ipv4: '10.0.10.21' },
        { networkId: 'db', ipv4: '10.0.20.21' },
      ],
    },
    {
      id: 'db-1',
      host: hosts[2 % hosts.length]!,
      vifs: [
        { networkId: 'db', ipv4: '10.0.20.31', portSecurity: true },
        { networkId: 'backend', ipv4: '192.168.100.31' },
      ],
    },
    {
      id: 'db-2',
      host: hosts[2 % hosts.length]!,
      vifs: [
        { networkId: 'db', ipv4: '10.0.20.32', portSecurity: true },
        { networkId: 'backend', ipv4: '192.168.100.32' },
      ],
    },
  ];
  for (const vm of vms) {
    add(`vm-${vm.id}`, 'POST', '/vms', { vmId: vm.id, name: vm.id });
    vm.vifs.forEach((vif, device) => {
      const vifId = `${vm.id}-eth${device}`;
      add(`vif-${vifId}`, 'POST', `/vms/${vm.id}/vifs`, { vifId, device, ...vif });
    });
  }
  add('acl-db-allow-postgres', 'POST', '/acls', {
    ruleId: 'db-allow-postgres',
    scope: { kind: 'network', networkId: 'db' },
    direction: 'to-vm',
    priority: 200,
    match: { protocol: 'tcp', cidr: '10.0.20.0/24', portFrom: 5432 },
    action: 'allow',
  });
  add('acl-db-drop-rest', 'POST', '/acls', {
    ruleId: 'db-drop-tcp',
    scope: { kind: 'network', networkId: 'db' },
    direction: 'to-vm',
    priority: 100,
    match: { protocol: 'tcp' },
    action: 'drop',
  });
  for (const vm of vms) {
    add(`start-${vm.id}`, 'POST', `/vms/${vm.id}/start`, { hostId: vm.host });
  }
  return steps;
}
