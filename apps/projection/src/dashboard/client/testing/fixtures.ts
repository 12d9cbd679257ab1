import type {
  AddressSetView,
  HostView,
  OverlayHostView,
  MigrationView,
  SecurityGroupView,
  SwitchNetworkView,
  SwitchView,
  VmView,
} from '@pool/contracts';

/** A small pool as the read API answers it: three hosts, two networks, three VMs. */

/** web-1 is rate-limited in and locked to its addresses; db-1 has neither. */
const WEB_POLICY = {
  qos: { ingressKbps: 100_000, ingressBurstKb: 10_000, egressKbps: 0, egressBurstKb: 0 },
  portSecurity: true,
};
const NO_POLICY = { qos: null, portSecurity: false };

/** Markup without tags and with collapsed whitespace: what a reader sees. */
export const visibleText = (markup: string): string =>
  markup
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

export const NOW = Date.parse('2026-03-01T12:00:00Z');
const ago = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();

export const host = (id: string, over: Partial<HostView> = {}): HostView => ({
  id,
  name: id,
  address: `198.51.100.${id.length}`,
  enabled: true,
  management: `192.0.2.${id.length}`,
  tunnel: null,
  interfaces: [],
  appliedVersion: 42,
  lagEvents: 0,
  lagSeconds: 0,
  lastReportAt: ago(2),
  digest: 'd',
  drift: 0,
  held: null,
  runningVms: 1,
  ...over,
});

export const HOSTS: HostView[] = [
  host('host-a'),
  host('host-b', { appliedVersion: 30, lagEvents: 12, lagSeconds: 40 }),
  host('host-c', { lastReportAt: ago(300) }),
];

export const SWITCH: SwitchView = {
  pool: 'p1',
  version: 42,
  networks: [
    {
      id: 'net-prod',
      name: 'prod-vlan-100',
      kind: 'external',
      purpose: 'vm',
      vlan: 100,
      vni: null,
      mtu: 9000,
      bridge: 'pnb-00000000b1',
      aclDefault: 'deny',
      uplinks: [
        { hostId: 'host-a', device: 'eth1' },
        { hostId: 'host-b', device: 'eth1' },
      ],
      underlay: null,
      ports: [
        {
          vifId: 'vif-web',
          vmId: 'vm-web',
          vmName: 'web-1',
          mac: '02:00:00:00:00:01',
          ips: ['10.0.100.10'],
          hostId: 'host-a',
          state: 'forwarding',
          ...WEB_POLICY,
        },
        {
          vifId: 'vif-db',
          vmId: 'vm-db',
          vmName: 'db-1',
          mac: '02:00:00:00:00:02',
          ips: [],
          hostId: 'host-b',
          state: 'pending',
          ...NO_POLICY,
        },
      ],
      tunnels: [],
    },
    {
      id: 'net-priv',
      name: 'backplane',
      kind: 'private',
      purpose: 'storage',
      vlan: null,
      vni: null,
      mtu: 1500,
      bridge: 'pnb-00000000b2',
      aclDefault: 'allow',
      uplinks: [],
      underlay: null,
      ports: [],
      tunnels: [],
    },
  ],
};

export const VMS: VmView[] = [
  {
    id: 'vm-web',
    name: 'web-1',
    powerState: 'running',
    hostId: 'host-a',
    vifs: [
      {
        id: 'vif-web',
        device: 0,
        mac: '02:00:00:00:00:01',
        networkId: 'net-prod',
        ips: ['10.0.100.10'],
        ...WEB_POLICY,
        port: 'pnv-00000000a1',
        bridge: 'pnb-00000000b1',
        ports: [
          { hostId: 'host-a', port: 'pnv-00000000a1', bridge: 'pnb-00000000b1', role: 'active' },
        ],
      },
    ],
    migration: null,
  },
  {
    id: 'vm-db',
    name: 'db-1',
    powerState: 'running',
    hostId: 'host-b',
    vifs: [
      {
        id: 'vif-db',
        device: 0,
        mac: '02:00:00:00:00:02',
        networkId: 'net-prod',
        ips: [],
        ...NO_POLICY,
        port: 'pnv-00000000a2',
        bridge: 'pnb-00000000b1',
        ports: [
          {
            hostId: 'host-b',
            port: 'pnv-00000000a2',
            bridge: 'pnb-00000000b1',
            role: 'active',
            device: 'vnet3',
          },
          {
            hostId: 'host-a',
            port: 'pnv-00000000a2',
            bridge: 'pnb-00000000b1',
            role: 'pending',
            plugged: false,
          },
        ],
      },
    ],
    migration: { id: 'mig-1', status: 'requested', toHostId: 'host-a' },
  },
  { id: 'vm-idle', name: 'idle', powerState: 'halted', hostId: null, vifs: [], migration: null },
];

export const migration = (over: Partial<MigrationView> = {}): MigrationView => ({
  id: 'mig-1',
  vmId: 'vm-db',
  fromHostId: 'host-b',
  toHostId: 'host-a',
  status: 'requested',
  requestedAt: ago(5),
  updatedAt: ago(5),
  reason: null,
  versions: { requested: 40, prepared: null, activated: null, completed: null, aborted: null },
  ...over,
});

/** web-1 in a deny-by-default group; an empty group; an address set and an empty one. */
export const SECURITY_GROUPS: SecurityGroupView[] = [
  { groupId: 'sg-web', name: 'web', defaultPolicy: 'deny', vifIds: ['vif-web'], ruleCount: 2 },
  { groupId: 'sg-idle', name: 'idle', defaultPolicy: 'allow', vifIds: [], ruleCount: 0 },
];

export const ADDRESS_SETS: AddressSetView[] = [
  { addressSetId: 'as-admin', name: 'admins', cidrs: ['10.0.0.0/8', '2001:db8::/32'] },
  { addressSetId: 'as-none', name: 'nobody', cidrs: [] },
];

/** One host of an overlay mesh with every tunnel up (host-a's endpoint is .1, host-b's .2). */
export const meshHost = (hostId: string, over: Partial<OverlayHostView> = {}): OverlayHostView => ({
  hostId,
  endpoint: `192.0.2.${hostId.at(-1) === 'a' ? 1 : hostId.at(-1) === 'b' ? 2 : 3}`,
  wanted: 2,
  expected: 2,
  applied: 2,
  missing: [],
  unreachable: [],
  reportedAt: '2026-03-01T12:00:00.000Z',
  state: 'up',
  ...over,
});

/** tenant-a (VNI 7, MTU 1450): an overlay network with no host yet; tests add its mesh. */
export const overlayNetwork = (over: Partial<SwitchNetworkView>): SwitchNetworkView => ({
  id: 'ov-a',
  name: 'tenant-a',
  kind: 'overlay',
  purpose: 'vm',
  vlan: null,
  vni: 7,
  mtu: 1450,
  bridge: 'pnb-00000000b3',
  aclDefault: 'allow',
  uplinks: [],
  underlay: [],
  ports: [],
  tunnels: [],
  ...over,
});
