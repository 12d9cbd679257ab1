import type { CreateBond, DestroyBond } from '../pool.commands.js';
import { poolError } from '../pool.errors.js';
import { poolEvent, type PoolEvent } from '../pool.events.js';
import { hostKey, type PoolState } from '../pool.state.js';
import { BOND_MODES } from '../pool.types.js';
import { requireDevice, requireOneOf } from '../pool.validation.js';
import { getBond, getHost, getPif, requireNewId } from './lookups.js';
import { requireDeviceUnused } from './uplinks.js';
import { carryFromBond, carryToBond } from './host-interfaces.decide.js';

const bondError = (message: string) => poolError('INVALID_BOND', message);

/**
 * Members are at least two distinct PIFs of the bond's host, in no other bond and carrying no
 * VLAN network. A member stops being an uplink of its own, so no VM on the host may still be
 * reaching a network through it.
 */
export const createBond = ({ data }: CreateBond, state: PoolState): PoolEvent[] => {
  const bondId = requireNewId('BOND', state.bonds, 'bondId', data.bondId);
  const host = getHost(state, data.hostId);
  const device = requireDevice('device', data.device);
  const mode = requireOneOf('mode', data.mode, BOND_MODES);
  const list: unknown = data.members;
  if (!Array.isArray(list)) throw bondError('members must be a list of devices');
  const members = data.members.map((member, i) => requireDevice(`members[${i}]`, member));
  if (members.length < 2) throw bondError('a bond needs at least two members');
  if (new Set(members).size !== members.length) throw bondError('bond members must be distinct');
  if (members.includes(device)) throw bondError(`bond ${device} cannot be its own member`);

  const { indexes } = state;
  if (host.pifs.has(device) || indexes.bondByDevice.has(hostKey(host.id, device))) {
    throw poolError('DEVICE_IN_USE', `host ${host.id} already has a device ${device}`, {
      hostId: host.id,
      device,
    });
  }
  for (const member of members) {
    getPif(host, member);
    const otherBond = indexes.bondByMember.get(hostKey(host.id, member));
    if (otherBond !== undefined) {
      throw poolError(
        'PIF_ALREADY_BONDED',
        `${member} on host ${host.id} is in bond ${otherBond}`,
        {
          hostId: host.id,
          device: member,
          bondId: otherBond,
        },
      );
    }
    const vlanNetworks = [...(indexes.networksByDevice.get(member) ?? [])].filter((id) => {
      const network = state.networks.get(id);
      return network?.kind === 'external' && network.vlan !== null;
    });
    if (vlanNetworks.length > 0) {
      throw poolError(
        'BOND_MEMBER_HAS_VLAN',
        `${member} carries VLAN networks and cannot be bonded`,
        {
          device: member,
          networkIds: vlanNetworks,
        },
      );
    }
    requireDeviceUnused(state, host.id, member);
  }
  return [
    poolEvent('BondCreated', { bondId, hostId: host.id, device, members, mode }),
    ...carryToBond(host, device, members),
  ];
};

export const destroyBond = ({ data }: DestroyBond, state: PoolState): PoolEvent[] => {
  const bond = getBond(state, data.bondId);
  requireDeviceUnused(state, bond.hostId, bond.device);
  return [
    poolEvent('BondDestroyed', { bondId: bond.id, hostId: bond.hostId, device: bond.device }),
    ...carryFromBond(getHost(state, bond.hostId), bond.device, bond.members),
  ];
};
