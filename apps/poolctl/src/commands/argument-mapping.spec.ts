import { describe, expect, it } from 'vitest';
import { fakeServices, masterCommands, MASTER, outcome, run } from '../testing/fake-services.js';
import { sentCommand } from '../testing/sent-command.js';

const sent = sentCommand;

const pifA = {
  device: 'eth0',
  mac: '52:54:00:00:0a:00',
  mtu: 1500,
  speedMbps: 1000,
  carrier: true,
};

describe('argument → request mapping', () => {
  it.each([
    [
      ['pool', 'create', 'lab2', '--name', 'Lab two'],
      { method: 'POST', path: '/pools', body: { poolId: 'lab2', name: 'Lab two' } },
    ],
    [
      ['pool', 'create', 'lab2'],
      { method: 'POST', path: '/pools', body: { poolId: 'lab2', name: 'lab2' } },
    ],
    [['pool', 'rename', 'Prod'], { method: 'PATCH', path: '/pools/lab', body: { name: 'Prod' } }],
    [
      [
        'host',
        'join',
        'host-c',
        '--address',
        '192.0.2.13',
        '--pif',
        'device=eth0,mac=52:54:00:00:0a:00',
        '--pif',
        'device=eth1,mac=52:54:00:00:0a:01,mtu=9000,speed=10000,carrier=down',
      ],
      {
        method: 'POST',
        path: '/pools/lab/hosts',
        body: {
          hostId: 'host-c',
          name: 'host-c',
          address: '192.0.2.13',
          managementDevice: 'eth0',
          pifs: [
            pifA,
            {
              device: 'eth1',
              mac: '52:54:00:00:0a:01',
              mtu: 9000,
              speedMbps: 10000,
              carrier: false,
            },
          ],
        },
      },
    ],
    [['host', 'enable', 'host-b'], { method: 'POST', path: '/pools/lab/hosts/host-b/enable' }],
    [['host', 'disable', 'host-b'], { method: 'POST', path: '/pools/lab/hosts/host-b/disable' }],
    [['host', 'eject', 'host-b'], { method: 'DELETE', path: '/pools/lab/hosts/host-b' }],
    [
      ['host', 'reset-networking', 'host-b'],
      { method: 'POST', path: '/pools/lab/hosts/host-b/reset-networking' },
    ],
    [
      ['pif', 'set', 'host-a', 'eth1', '--role', 'vm', '--mtu', '9000'],
      { method: 'PUT', path: '/pools/lab/hosts/host-a/pifs/eth1', body: { role: 'vm', mtu: 9000 } },
    ],
    [
      [
        'bond',
        'create',
        'host-a',
        'bond0',
        '--members',
        'eth1,eth2',
        '--mode',
        'lacp',
        '--id',
        'b0',
      ],
      {
        method: 'POST',
        path: '/pools/lab/bonds',
        body: {
          bondId: 'b0',
          hostId: 'host-a',
          device: 'bond0',
          members: ['eth1', 'eth2'],
          mode: 'lacp',
        },
      },
    ],
    [['bond', 'destroy', 'b0'], { method: 'DELETE', path: '/pools/lab/bonds/b0' }],
    [
      [
        'network',
        'create',
        'prod',
        '--uplink',
        'eth1',
        '--vlan',
        '100',
        '--mtu',
        '9000',
        '--id',
        'prod',
      ],
      {
        method: 'POST',
        path: '/pools/lab/networks',
        body: {
          networkId: 'prod',
          name: 'prod',
          purpose: 'vm',
          mtu: 9000,
          kind: 'external',
          device: 'eth1',
          vlan: 100,
        },
      },
    ],
    [
      ['network', 'create', 'backend', '--private', '--purpose', 'storage'],
      {
        method: 'POST',
        path: '/pools/lab/networks',
        body: { name: 'backend', purpose: 'storage', kind: 'private' },
      },
    ],
    [
      ['network', 'create', 'tenant-a', '--overlay', '--mtu', '1400'],
      {
        method: 'POST',
        path: '/pools/lab/networks',
        body: { name: 'tenant-a', purpose: 'vm', kind: 'overlay', mtu: 1400 },
      },
    ],
    [
      ['host', 'tunnel-endpoint', 'host-a', '--device', 'eth1', '--address', '192.0.2.11'],
      {
        method: 'PUT',
        path: '/pools/lab/hosts/host-a/tunnel-endpoint',
        body: { device: 'eth1', address: '192.0.2.11' },
      },
    ],
    [
      [
        'host',
        'interface',
        'host-a',
        'mgmt0',
        '--device',
        'bond0',
        '--vlan',
        '30',
        '--ipv4',
        '198.51.100.11/24',
        '--gateway',
        '198.51.100.1',
        '--ipv6',
        'autoconf',
        '--dns',
        '192.0.2.53,192.0.2.54',
      ],
      {
        method: 'PUT',
        path: '/pools/lab/hosts/host-a/interfaces/mgmt0',
        body: {
          purpose: 'management',
          device: 'bond0',
          vlan: 30,
          ipv4: { mode: 'static', address: '198.51.100.11/24', gateway: '198.51.100.1' },
          ipv6: { mode: 'autoconf' },
          dns: ['192.0.2.53', '192.0.2.54'],
        },
      },
    ],
    [
      ['host', 'interface', 'host-a', 'stor0', '--remove'],
      { method: 'DELETE', path: '/pools/lab/hosts/host-a/interfaces/stor0' },
    ],
    [
      ['host', 'tunnel-endpoint', 'host-a', '--clear'],
      {
        method: 'PUT',
        path: '/pools/lab/hosts/host-a/tunnel-endpoint',
        body: { device: null, address: null },
      },
    ],
    [
      ['network', 'update', 'prod', '--name', 'production'],
      { method: 'PATCH', path: '/pools/lab/networks/prod', body: { name: 'production' } },
    ],
    [['network', 'destroy', 'prod'], { method: 'DELETE', path: '/pools/lab/networks/prod' }],
    [
      ['vm', 'create', 'web-1'],
      { method: 'POST', path: '/pools/lab/vms', body: { name: 'web-1' } },
    ],
    [
      ['vm', 'rename', 'web-1', 'web-01'],
      { method: 'PATCH', path: '/pools/lab/vms/web-1', body: { name: 'web-01' } },
    ],
    [
      ['vm', 'start', 'web-1', '--on', 'host-a'],
      { method: 'POST', path: '/pools/lab/vms/web-1/start', body: { hostId: 'host-a' } },
    ],
    [['vm', 'stop', 'web-1'], { method: 'POST', path: '/pools/lab/vms/web-1/stop' }],
    [['vm', 'destroy', 'web-1'], { method: 'DELETE', path: '/pools/lab/vms/web-1' }],
    [
      ['vm', 'migrate', 'web-1', '--to', 'host-b', '--id', 'm1'],
      {
        method: 'POST',
        path: '/pools/lab/vms/web-1/migrate',
        body: { migrationId: 'm1', toHostId: 'host-b' },
      },
    ],
    [
      ['vm', 'migrate', 'db-1', '--to', 'host-b', '--accept-isolation'],
      {
        method: 'POST',
        path: '/pools/lab/vms/db-1/migrate',
        body: { toHostId: 'host-b', acceptIsolation: true },
      },
    ],
    [
      [
        'vif',
        'create',
        'web-1',
        '--network',
        'prod',
        '--ipv4',
        '192.0.2.10',
        '--qos-in',
        '100000/10000',
        '--qos-out',
        '5000',
        '--port-security',
      ],
      {
        method: 'POST',
        path: '/pools/lab/vms/web-1/vifs',
        // No --device: none sent, the pool takes the VM's lowest free index.
        body: {
          networkId: 'prod',
          ipv4: '192.0.2.10',
          qos: { ingressKbps: 100000, ingressBurstKb: 10000, egressKbps: 5000, egressBurstKb: 0 },
          portSecurity: true,
        },
      },
    ],
    [
      [
        'vif',
        'create',
        'web-1',
        '--network',
        'prod',
        '--device',
        '3',
        '--mac',
        '02:00:00:00:00:11',
        '--id',
        'v1',
      ],
      {
        method: 'POST',
        path: '/pools/lab/vms/web-1/vifs',
        body: { vifId: 'v1', device: 3, networkId: 'prod', mac: '02:00:00:00:00:11' },
      },
    ],
    [
      [
        'vif',
        'update',
        'v1',
        '--vm',
        'web-1',
        '--no-ipv4',
        '--ipv6',
        '2001:db8::10',
        '--no-qos',
        '--no-port-security',
      ],
      {
        method: 'PATCH',
        path: '/pools/lab/vms/web-1/vifs/v1',
        body: { ipv4: null, ipv6: '2001:db8::10', qos: null, portSecurity: false },
      },
    ],
    [
      [
        'vif',
        'update',
        'v1',
        '--vm',
        'web-1',
        '--extra-ips',
        '192.0.2.21,2001:db8::21',
        '--allowed-pair',
        '192.0.2.100',
        '--allowed-pair',
        '2001:db8::100@00:00:5e:00:02:01',
      ],
      {
        method: 'PATCH',
        path: '/pools/lab/vms/web-1/vifs/v1',
        body: {
          extraIps: ['192.0.2.21', '2001:db8::21'],
          allowedPairs: [{ ip: '192.0.2.100' }, { ip: '2001:db8::100', mac: '00:00:5e:00:02:01' }],
        },
      },
    ],
    [
      ['vif', 'update', 'v1', '--vm', 'web-1', '--no-extra-ips', '--no-allowed-pairs'],
      {
        method: 'PATCH',
        path: '/pools/lab/vms/web-1/vifs/v1',
        body: { extraIps: [], allowedPairs: [] },
      },
    ],
    [
      ['vif', 'destroy', 'v1', '--vm', 'web-1'],
      { method: 'DELETE', path: '/pools/lab/vms/web-1/vifs/v1' },
    ],
    [
      [
        'acl',
        'add',
        '--network',
        'prod',
        '--direction',
        'to-vm',
        '--priority',
        '100',
        '--protocol',
        'tcp',
        '--cidr',
        '10.0.0.0/8',
        '--port',
        '8000-8080',
        '--action',
        'allow',
        '--id',
        'r1',
      ],
      {
        method: 'POST',
        path: '/pools/lab/acls',
        body: {
          ruleId: 'r1',
          scope: { kind: 'network', networkId: 'prod' },
          direction: 'to-vm',
          priority: 100,
          match: { protocol: 'tcp', cidr: '10.0.0.0/8', portFrom: 8000, portTo: 8080 },
          action: 'allow',
        },
      },
    ],
    [
      ['acl', 'add', '--vif', 'v1', '--direction', 'to-vm', '--priority', '0', '--action', 'drop'],
      {
        method: 'POST',
        path: '/pools/lab/acls',
        body: {
          scope: { kind: 'vif', vifId: 'v1' },
          direction: 'to-vm',
          priority: 0,
          match: { protocol: 'any' },
          action: 'drop',
        },
      },
    ],
    [
      [
        ...['acl', 'add', '--vif', 'v1', '--direction', 'from-vm', '--priority', '5'],
        ...['--protocol', 'icmp', '--action', 'allow', '--stateless'],
      ],
      {
        method: 'POST',
        path: '/pools/lab/acls',
        body: {
          scope: { kind: 'vif', vifId: 'v1' },
          direction: 'from-vm',
          priority: 5,
          match: { protocol: 'icmp' },
          action: 'allow',
          stateless: true,
        },
      },
    ],
    [['acl', 'remove', 'r1'], { method: 'DELETE', path: '/pools/lab/acls/r1' }],
    [
      ['mirror', 'create', '--vif', 'v1', '--to', 'v2'],
      {
        method: 'POST',
        path: '/pools/lab/mirrors',
        body: { source: { kind: 'vif', vifId: 'v1' }, direction: 'both', destinationVifId: 'v2' },
      },
    ],
    [['mirror', 'destroy', 'm1'], { method: 'DELETE', path: '/pools/lab/mirrors/m1' }],
  ])('%j', async (argv, expected) => {
    expect(await sent(argv)).toEqual({ body: undefined, ...expected });
  });

  it('encodes ids as path segments', async () => {
    // Not an id: looked up as a name first (reads know no such pool), then sent as given.
    const unknownPool = { status: 404, body: { code: 'POOL_NOT_FOUND' } };
    const { fetch, seen } = fakeServices(
      masterCommands(() => ({ status: 200, body: outcome() })),
      () => unknownPool,
    );
    await run(['--pool', 'lab', 'vm', 'stop', 'a/b c'], fetch);
    expect(seen.at(-1)!.url.pathname).toBe('/pools/lab/vms/a%2Fb%20c/stop');
  });

  it('sends an Idempotency-Key, the token as Bearer, and nothing else extra', async () => {
    const { fetch, seen } = fakeServices(masterCommands(() => ({ status: 200, body: outcome() })));
    const result = await run(['vm', 'stop', 'web-1'], fetch, {
      env: { POOLNET_POOL: 'lab', POOLNET_TOKEN: 's3cret' },
    });
    expect(result.code).toBe(0);
    expect(seen[0]!.url.toString()).toBe(`${MASTER}/pools/lab/vms/web-1/stop`);
    expect(seen[0]!.headers).toMatchObject({
      'idempotency-key': 'key-1',
      authorization: 'Bearer s3cret',
    });
    expect(result.stdout + result.stderr).not.toContain('s3cret');
  });

  it('takes flags over the environment', async () => {
    const { fetch, seen } = fakeServices(() => ({ status: 200, body: outcome() }));
    await run(['--master', 'http://other.test:9/api', '--pool', 'p2', 'vm', 'stop', 'v'], fetch, {
      env: { POOLNET_POOL: 'lab' },
    });
    expect(seen[0]!.url.toString()).toBe('http://other.test:9/api/pools/p2/vms/v/stop');
  });

  it.each([
    [['vm', 'start', 'web-1']],
    [['network', 'create', 'x']],
    [['network', 'create', 'x', '--private', '--vlan', '4']],
    [['network', 'create', 'x', '--overlay', '--uplink', 'eth1']],
    [['network', 'create', 'x', '--overlay', '--private']],
    [['host', 'tunnel-endpoint', 'host-a', '--device', 'eth1']],
    [['network', 'create', 'x', '--uplink', 'eth1', '--vlan', 'ten']],
    [['pif', 'set', 'host-a', 'eth1']],
    [['pif', 'set', 'host-a', 'eth1', '--role', 'boss']],
    [['acl', 'add', '--direction', 'to-vm', '--priority', '1', '--action', 'allow']],
    [
      [
        'acl',
        'add',
        '--network',
        'n',
        '--vif',
        'v',
        '--direction',
        'to-vm',
        '--priority',
        '1',
        '--action',
        'allow',
      ],
    ],
    [['host', 'join', 'h', '--address', 'a']],
    [['host', 'join', 'h', '--address', 'a', '--pif', 'device=eth0']],
    [['vif', 'update', 'v1', '--vm', 'web-1']],
    [['vm', 'fly', 'web-1']],
    [['--output', 'yaml', 'vm', 'list']],
    [['--timeout', '0', 'vm', 'list']],
  ])('%j is a usage error (exit 2), nothing sent', async (argv) => {
    const { fetch, seen } = fakeServices(() => ({ status: 200, body: outcome() }));
    const result = await run(['--pool', 'lab', ...argv], fetch);
    expect(result.code).toBe(2);
    expect(result.stderr).not.toBe('');
    expect(seen).toEqual([]);
  });

  it.each([
    ['ingress', "direction 'ingress' meant traffic from the VM: write 'from-vm'"],
    ['egress', "direction 'egress' meant traffic to the VM: write 'to-vm'"],
  ])('refuses the old direction %s with its mapping (exit 2), nothing sent', async (old, says) => {
    const { fetch, seen } = fakeServices(() => ({ status: 200, body: outcome() }));
    const argv = ['acl', 'add', '--vif', 'v', '--direction', old, '--priority', '1'];
    const result = await run(['--pool', 'lab', ...argv, '--action', 'drop'], fetch);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(says);
    expect(seen).toEqual([]);
  });

  it('needs a pool for pool-scoped verbs', async () => {
    const { fetch, seen } = fakeServices(() => ({ status: 200, body: outcome() }));
    const result = await run(['vm', 'stop', 'web-1'], fetch);
    expect(result).toMatchObject({ code: 2 });
    expect(result.stderr).toContain('--pool');
    expect(seen).toEqual([]);
  });
});
