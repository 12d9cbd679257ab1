import { expect } from 'vitest';
import { deciderSpec } from '../../testing/decider-spec.js';
import type { PoolCommand, PoolCommandType } from '../pool.commands.js';
import { poolDecider } from '../pool.decider.js';
import { poolEvent, type PoolEvent } from '../pool.events.js';
import { deserializePoolState, serializePoolState } from '../pool.snapshot.js';
import type { PoolState } from '../pool.state.js';
import type { AclMatch, Pif, Qos, Scope } from '../pool.types.js';

export const NOW = '2025-01-02T03:04:05.000Z';
export const POOL_ID = 'pool-1';

/** A command of the given type, stamped with NOW. */
export const cmd = <T extends PoolCommandType>(
  type: T,
  data: Extract<PoolCommand, { type: T }>['data'],
): Extract<PoolCommand, { type: T }> =>
  ({ type, data, metadata: { now: NOW, actor: 'test' } }) as Extract<PoolCommand, { type: T }>;

export const ev = poolEvent;

/** Evolving incrementally must leave exactly the indexes a snapshot load rebuilds. */
export const checkIndexes = (state: PoolState): void => {
  const reloaded = deserializePoolState(serializePoolState(state));
  expect(reloaded.indexes).toEqual(state.indexes);
  expect(serializePoolState(reloaded)).toEqual(serializePoolState(state));
};

export const given = deciderSpec(poolDecider, {
  snapshot: serializePoolState,
  check: checkIndexes,
});

export const pif = (device: string, role: Pif['role'] = 'unused', n = 1): Pif => ({
  device,
  mac: `00:16:3e:00:00:${n.toString(16).padStart(2, '0')}`,
  mtu: 1500,
  speedMbps: 10000,
  carrier: true,
  role,
});

export const poolCreated = ev('PoolCreated', { poolId: POOL_ID, name: 'lab', createdAt: NOW });

/** A host with eth0 (management), eth1 and eth2 unless told otherwise. */
export const hostJoined = (hostId: string, devices = ['eth0', 'eth1', 'eth2']): PoolEvent =>
  ev('HostJoined', {
    hostId,
    name: hostId,
    address: `10.0.0.${hostId.length}`,
    pifs: devices.map((d, i) => pif(d, i === 0 ? 'management' : 'unused', i + 1)),
    joinedAt: NOW,
  });

export const external = (networkId: string, device: string, vlan: number | null = null) =>
  ev('NetworkCreated', {
    networkId,
    name: networkId,
    purpose: 'vm',
    mtu: 1500,
    kind: 'external',
    device,
    vlan,
  });

export const privateNetwork = (networkId: string) =>
  ev('NetworkCreated', { networkId, name: networkId, purpose: 'vm', mtu: 1500, kind: 'private' });

export const overlayNetwork = (networkId: string, vni: number, mtu = 1450) =>
  ev('NetworkCreated', { networkId, name: networkId, purpose: 'vm', mtu, kind: 'overlay', vni });

type AclRuleData = Extract<PoolEvent, { type: 'AclRuleCreated' }>['data'];

/** A stateful ingress allow rule at priority 10, matching any packet but what `match` says. */
export const aclRuleCreated = (
  ruleId: string,
  scope: Scope,
  match: Partial<AclMatch> = {},
  data: Partial<Omit<AclRuleData, 'ruleId' | 'scope' | 'match'>> = {},
) =>
  ev('AclRuleCreated', {
    ruleId,
    scope,
    direction: 'from-vm',
    priority: 10,
    match: {
      protocol: 'any',
      cidr: null,
      addressSetId: null,
      remoteGroupId: null,
      portFrom: null,
      portTo: null,
      ...match,
    },
    action: 'allow',
    stateless: false,
    ...data,
  });

export const vmCreated = (vmId: string) => ev('VmCreated', { vmId, name: vmId });
export const vmStarted = (vmId: string, hostId: string) => ev('VmStarted', { vmId, hostId });

/** A distinct, fixed MAC per VIF id, outside the pool's generated range. */
export const macFor = (vifId: string): string => {
  const hash = [...vifId].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7);
  const octets = [24, 16, 8, 0].map((s) => ((hash >>> s) & 0xff).toString(16).padStart(2, '0'));
  return `52:54:${octets.join(':')}`;
};

export const vifCreated = (
  vifId: string,
  vmId: string,
  networkId: string,
  options: {
    device?: number;
    mac?: string;
    ipv4?: string | null;
    ipv6?: string | null;
    qos?: Qos | null;
  } = {},
) =>
  ev('VifCreated', {
    vifId,
    vmId,
    device: options.device ?? 0,
    networkId,
    mac: options.mac ?? macFor(vifId),
    macGenerated: false,
    ipv4: options.ipv4 ?? null,
    ipv6: options.ipv6 ?? null,
    extraIps: [],
    allowedPairs: [],
    qos: options.qos ?? null,
    portSecurity: false,
  });

/**
 * Two enabled hosts, h1 and h2 (eth0 management, eth1, eth2); networks `lan` (eth1 untagged),
 * `vlan10` (eth1 tag 10) and `priv` (private); VM vm1 halted with no VIFs.
 */
export const lab: PoolEvent[] = [
  poolCreated,
  hostJoined('h1'),
  hostJoined('h2'),
  external('lan', 'eth1'),
  external('vlan10', 'eth1', 10),
  privateNetwork('priv'),
  vmCreated('vm1'),
];
