import type { Bond, Host, Network, PoolState } from '@pool/domain';

export const TRAFFIC_TYPES = ['management', 'storage', 'vm'] as const;

/**
 * The traffic each NIC of a host carries (DESIGN §1): management and storage where the host's
 * configured interfaces of that purpose really sit (the PIF, or every member of the bond they
 * are on), else, for a purpose no interface is configured for, the PIF roles that label it;
 * plus the purpose of every external network leaving the host through it, directly or through
 * the bond it is a member of. Sorted, so the rows it ends up in compare as equal.
 */
export function trafficByDevice(state: PoolState, host: Host): Map<string, string[]> {
  const bondOf = bondsByMember(state, host.id);
  const traffic = new Map<string, Set<string>>();
  const configured = new Set<string>(host.interfaces.map((i) => i.purpose));
  for (const pif of host.pifs.values()) {
    const labelled = pif.role !== 'unused' && !configured.has(pif.role);
    traffic.set(pif.device, new Set(labelled ? [pif.role] : []));
  }
  for (const i of host.interfaces) {
    for (const pif of host.pifs.values()) {
      const bond = bondOf.get(pif.device);
      if ((bond ? bond.device : pif.device) === i.device) traffic.get(pif.device)!.add(i.purpose);
    }
  }
  for (const network of state.networks.values()) {
    if (network.kind !== 'external') continue;
    for (const pif of host.pifs.values()) {
      const bond = bondOf.get(pif.device);
      const through = bond ? bond.device === network.device : pif.device === network.device;
      if (through) traffic.get(pif.device)!.add(network.purpose);
    }
  }
  return new Map([...traffic].map(([device, types]) => [device, [...types].sort()]));
}

/** A NIC shared by traffic types the seed's advice says to keep apart, as a sentence. */
export function adviceFor(device: string, traffic: string[]): string | undefined {
  if (traffic.length < 2) return undefined;
  const list = `${traffic.slice(0, -1).join(', ')} and ${traffic[traffic.length - 1]}`;
  return `${device} carries ${list} traffic: dedicate a NIC (or a bond) to each traffic type`;
}

/** member device → the host's bond it belongs to. */
export function bondsByMember(state: PoolState, hostId: string): Map<string, Bond> {
  const byMember = new Map<string, Bond>();
  for (const bond of state.bonds.values()) {
    if (bond.hostId !== hostId) continue;
    for (const member of bond.members) byMember.set(member, bond);
  }
  return byMember;
}

/**
 * Where a host reaches an external network: its bond with the network's device, or its PIF of
 * that name when the PIF is not a bond member (the decider's rule, uplinks.ts).
 */
export function uplinkDevice(state: PoolState, host: Host, network: Network): string | null {
  if (network.kind !== 'external') return null;
  for (const bond of state.bonds.values()) {
    if (bond.hostId === host.id && bond.device === network.device) return bond.device;
  }
  if (!host.pifs.has(network.device)) return null;
  return bondsByMember(state, host.id).has(network.device) ? null : network.device;
}
