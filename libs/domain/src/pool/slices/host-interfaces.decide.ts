import type { ConfigureHostInterface, RemoveHostInterface } from '../pool.commands.js';
import { poolError, notFound } from '../pool.errors.js';
import { poolEvent, type PoolEvent } from '../pool.events.js';
import { hostKey, type PoolState } from '../pool.state.js';
import {
  HOST_INTERFACE_MAX_DNS,
  HOST_INTERFACE_PLACEMENTS,
  HOST_INTERFACE_PURPOSES,
  type Host,
  type HostInterface,
} from '../pool.types.js';
import * as v from '../pool.validation.js';
import { getHost } from './lookups.js';
import { hostHasDevice } from './uplinks.js';
import { requireIpConfig, sameInterface } from './host-interfaces.addresses.js';

/** Names the vSwitch model derives (pnb-, pnv-, pnu-…): a host interface never takes one. */
const SWITCH_NAME = /^pn[a-z]-/;

/**
 * Why `device` of `host` is (or would be) in an Open vSwitch bridge, or null: an external
 * network on it, a bond (always a bridge port), the tunnel endpoint (tunnels leave through its
 * bridge), or another interface of the host placed on its bridge.
 */
const bridgedBy = (
  state: PoolState,
  host: Host,
  device: string,
  except?: string,
): string | null => {
  if (state.indexes.bondByDevice.has(hostKey(host.id, device))) return `bond ${device}`;
  for (const networkId of state.indexes.networksByDevice.get(device) ?? []) {
    return `network ${networkId}`;
  }
  if (host.tunnel?.device === device) return 'the tunnel endpoint';
  const other = host.interfaces.find(
    (i) => i.name !== except && i.device === device && i.placement === 'internal',
  );
  return other ? `interface ${other.name}` : null;
};

/**
 * The guard (issue 21): a change that would put `device` of each of `hosts` into a bridge is
 * refused while one of them keeps an interface's address on that NIC itself (placement `pif`),
 * which the bridge would take away: MANAGEMENT_NIC_BRIDGED for the management interface (the
 * host would drop off the pool), STORAGE_NIC_BRIDGED for a storage one. Interfaces placed on
 * the bridge (`internal`) are carried along by the same change, so they never refuse it.
 * `change` says what would bridge it, for the message.
 */
export const requireNicNotBridged = (
  hosts: Iterable<Host>,
  device: string,
  change: string,
  except?: string,
): void => {
  const stranded = [...hosts].flatMap((host) =>
    host.interfaces
      .filter((i) => i.device === device && i.placement === 'pif' && i.name !== except)
      .map((i) => ({ hostId: host.id, device, interface: i.name, purpose: i.purpose })),
  );
  if (stranded.length === 0) return;
  const management = stranded.filter((s) => s.purpose === 'management');
  const [code, what] =
    management.length > 0
      ? (['MANAGEMENT_NIC_BRIDGED', 'management'] as const)
      : (['STORAGE_NIC_BRIDGED', 'storage'] as const);
  const named = (management.length > 0 ? management : stranded)
    .map((s) => `${s.device} of host ${s.hostId}`)
    .join(', ');
  throw poolError(
    code,
    `${change} would put ${named} into a bridge, taking away the ${what} address held on the NIC itself; first move that interface onto the NIC's bridge (placement internal, under a name of its own, with replaces naming it), so the bridge carries it`,
    { hostIds: stranded.map((s) => s.hostId), device, interfaces: stranded },
  );
};

/** The hosts that reach `device` (as a PIF of their own or a bond). */
export const hostsWithDevice = (state: PoolState, device: string): Host[] =>
  [...state.hosts.values()].filter((host) => hostHasDevice(state, host.id, device));

const requireManagementOnly = (value: HostInterface): void => {
  if (value.purpose === 'management') return;
  const gateway =
    (value.ipv4.mode === 'static' && value.ipv4.gateway !== null) ||
    (value.ipv6.mode === 'static' && value.ipv6.gateway !== null);
  if (gateway || value.dns.length > 0) {
    throw poolError(
      'MANAGEMENT_ONLY_SETTING',
      `interface ${value.name} is for storage: gateways and DNS servers belong to the management interface`,
      { name: value.name },
    );
  }
};

const requireAddressFree = (
  state: PoolState,
  host: Host,
  value: HostInterface,
  replaced: string | null,
): void => {
  const ips = [value.ipv4, value.ipv6].flatMap((c) =>
    c.mode === 'static' ? [c.address.split('/')[0]] : [],
  );
  for (const other of state.hosts.values()) {
    for (const i of other.interfaces) {
      if (other.id === host.id && (i.name === value.name || i.name === replaced)) continue;
      const taken = [i.ipv4, i.ipv6].some(
        (c) => c.mode === 'static' && ips.includes(c.address.split('/')[0]),
      );
      if (taken) {
        throw poolError(
          'HOST_ADDRESS_IN_USE',
          `interface ${i.name} of host ${other.id} already holds an address of ${value.name}`,
          { hostId: other.id, name: i.name },
        );
      }
    }
  }
};

/** Where the interface sits must exist on the host and suit its placement. */
const requirePlace = (state: PoolState, host: Host, value: HostInterface): void => {
  const { device, name } = value;
  const member = state.indexes.bondByMember.get(hostKey(host.id, device));
  if (member !== undefined) {
    throw poolError('PIF_ALREADY_BONDED', `${device} on host ${host.id} is in bond ${member}`, {
      hostId: host.id,
      device,
      bondId: member,
    });
  }
  if (!hostHasDevice(state, host.id, device)) throw notFound('PIF', `${device} on host ${host.id}`);
  if (value.placement === 'pif') {
    if (name !== device || value.vlan !== null || !host.pifs.has(device)) {
      throw poolError(
        'INVALID_OPTION',
        `placement pif puts the address on an untagged PIF itself: name the interface after the PIF (${device}), with no VLAN`,
        { field: 'placement' },
      );
    }
    const bridge = bridgedBy(state, host, device, name);
    if (bridge !== null) {
      throw poolError(
        'NIC_BRIDGED',
        `${device} on host ${host.id} is in a bridge (${bridge}): its address must sit on the bridge, with placement internal`,
        { hostId: host.id, device, reason: bridge },
      );
    }
    return;
  }
  if (host.pifs.has(name) || state.indexes.bondByDevice.has(hostKey(host.id, name))) {
    throw poolError('DEVICE_IN_USE', `host ${host.id} already has a device ${name}`, {
      hostId: host.id,
      device: name,
    });
  }
  if (SWITCH_NAME.test(name)) {
    throw poolError('INVALID_DEVICE', `name ${name} is of the form poolnet gives its switches`, {
      field: 'name',
    });
  }
  // An internal interface bridges its device: refused if another one holds the NIC's address.
  requireNicNotBridged([host], device, `interface ${name}`, name);
};

/**
 * The interface `replaces` names: one of the host's, of the same purpose, under another name
 * than the new one, which must be new. An interface on the NIC itself bears the NIC's name, and
 * an internal port cannot share it, so this is how it moves onto the NIC's bridge.
 */
const requireReplaced = (
  host: Host,
  value: HostInterface,
  replaces: unknown,
): HostInterface | undefined => {
  if (replaces === undefined || replaces === null) return undefined;
  const name = v.requireDevice('replaces', replaces);
  const replaced = host.interfaces.find((i) => i.name === name);
  if (!replaced) {
    throw poolError('HOST_INTERFACE_NOT_FOUND', `host ${host.id} has no interface ${name}`, {
      hostId: host.id,
      name,
    });
  }
  const problem =
    name === value.name
      ? `an interface cannot replace itself: configure ${name} without replaces`
      : replaced.purpose !== value.purpose
        ? `${name} is a ${replaced.purpose} interface: it can only be replaced by another ${replaced.purpose} interface`
        : host.interfaces.some((i) => i.name === value.name)
          ? `${value.name} exists already: an interface replacing ${name} is a new one`
          : undefined;
  if (problem) throw poolError('INVALID_OPTION', problem, { field: 'replaces' });
  return replaced;
};

const requireOneManagement = (host: Host, value: HostInterface): void => {
  const current = host.interfaces.find((i) => i.purpose === 'management');
  if (value.purpose === 'management' && current && current.name !== value.name) {
    throw poolError(
      'MANAGEMENT_INTERFACE_EXISTS',
      `host ${host.id} has its management interface ${current.name}: move that one instead, or name it in replaces`,
      { hostId: host.id, name: current.name },
    );
  }
  if (value.purpose !== 'management' && current?.name === value.name) {
    throw poolError(
      'MANAGEMENT_INTERFACE_REQUIRED',
      `${value.name} is the management interface of host ${host.id}: it moves, it never stops being one`,
      { hostId: host.id, name: value.name },
    );
  }
};

/** The command's data as a stored interface, every field checked on its own. */
const requireInterface = (data: ConfigureHostInterface['data']): HostInterface => {
  const name = v.requireDevice('name', data.name);
  const dnsList: unknown = data.dns ?? [];
  if (!Array.isArray(dnsList) || dnsList.length > HOST_INTERFACE_MAX_DNS) {
    throw poolError('INVALID_OPTION', `dns must list at most ${HOST_INTERFACE_MAX_DNS} servers`, {
      field: 'dns',
    });
  }
  const value: HostInterface = {
    name,
    purpose: v.requireOneOf('purpose', data.purpose, HOST_INTERFACE_PURPOSES),
    device: v.requireDevice('device', data.device),
    vlan: data.vlan === undefined || data.vlan === null ? null : v.requireVlan(data.vlan),
    placement: v.requireOneOf('placement', data.placement ?? 'internal', HOST_INTERFACE_PLACEMENTS),
    ipv4: requireIpConfig(4, data.ipv4),
    ipv6: requireIpConfig(6, data.ipv6),
    dns: (dnsList as unknown[]).map((server, i) => v.requireVifIp(`dns[${i}]`, server)),
  };
  if (value.ipv4.mode === 'none' && value.ipv6.mode === 'none') {
    throw poolError(
      'INTERFACE_WITHOUT_ADDRESS',
      `interface ${name} needs an IPv4 or IPv6 address`,
      {
        name,
      },
    );
  }
  return value;
};

/**
 * Creates or reconfigures one interface of a host. Moving it (another device, VLAN or
 * placement) and changing its addresses are one event, so the host moves the address in one
 * apply; the management interface is the one the host is reached by, so there is exactly one.
 */
export const configureHostInterface = (
  { data }: ConfigureHostInterface,
  state: PoolState,
): PoolEvent[] => {
  const found = getHost(state, data.hostId);
  const value = requireInterface(data);
  requireManagementOnly(value);
  const replaced = requireReplaced(found, value, data.replaces);
  // The host as it is once the replaced interface has gone, which the same event does.
  const host = replaced
    ? { ...found, interfaces: found.interfaces.filter((i) => i !== replaced) }
    : found;
  requireOneManagement(host, value);
  requirePlace(state, host, value);
  requireAddressFree(state, host, value, replaced?.name ?? null);
  const current = host.interfaces.find((i) => i.name === value.name);
  if (current && sameInterface(current, value)) return [];
  return [
    poolEvent('HostInterfaceConfigured', {
      hostId: host.id,
      interface: value,
      replaces: replaced?.name ?? null,
    }),
  ];
};

export const removeHostInterface = (
  { data }: RemoveHostInterface,
  state: PoolState,
): PoolEvent[] => {
  const host = getHost(state, data.hostId);
  const current = host.interfaces.find((i) => i.name === data.name);
  if (!current) {
    throw poolError(
      'HOST_INTERFACE_NOT_FOUND',
      `host ${host.id} has no interface ${String(data.name)}`,
      { hostId: host.id, name: data.name },
    );
  }
  if (current.purpose === 'management') {
    throw poolError(
      'MANAGEMENT_INTERFACE_REQUIRED',
      `${current.name} is the management interface of host ${host.id}: removing it would cut the host off; move it instead`,
      { hostId: host.id, name: current.name },
    );
  }
  return [poolEvent('HostInterfaceRemoved', { hostId: host.id, name: current.name })];
};

/**
 * What a new bond does to the interfaces of its members (XAPI's bond create moves the IP
 * configuration to the bond): those on their member's bridge move to the bond's, in the same
 * change; one on a member NIC itself cannot follow, and refuses the bond (the guard above).
 */
export const carryToBond = (
  host: Host,
  bondDevice: string,
  members: readonly string[],
): PoolEvent[] => {
  for (const member of members) requireNicNotBridged([host], member, `bond ${bondDevice}`);
  return host.interfaces
    .filter((i) => members.includes(i.device))
    .map((i) =>
      poolEvent('HostInterfaceConfigured', {
        hostId: host.id,
        interface: { ...i, device: bondDevice, dns: [...i.dns] },
        replaces: null,
      }),
    );
};

/** Destroying a bond gives its interfaces to its first member, on that member's bridge. */
export const carryFromBond = (
  host: Host,
  bondDevice: string,
  members: readonly string[],
): PoolEvent[] => {
  const [first] = members;
  if (first === undefined) return [];
  return host.interfaces
    .filter((i) => i.device === bondDevice)
    .map((i) =>
      poolEvent('HostInterfaceConfigured', {
        hostId: host.id,
        interface: { ...i, device: first, dns: [...i.dns] },
        replaces: null,
      }),
    );
};
