import type {
  AddressSetView,
  HostView,
  ScopeView,
  SecurityGroupView,
  SwitchView,
  VmView,
} from '@pool/contracts';

/** Names for the ids the API returns, from whatever sections are loaded (ids when unknown). */
export interface Lookup {
  host(id: string | null): string;
  vm(id: string): string;
  network(id: string): string;
  /** `web-1 eth0` for a VIF id. */
  vif(id: string): string;
  group(id: string): string;
  addressSet(id: string): string;
  scope(scope: ScopeView): string;
}

export function buildLookup(data: {
  hosts?: HostView[] | null;
  vms?: VmView[] | null;
  switch?: SwitchView | null;
  securityGroups?: SecurityGroupView[] | null;
  addressSets?: AddressSetView[] | null;
}): Lookup {
  const groups = new Map((data.securityGroups ?? []).map((g) => [g.groupId, g.name]));
  const sets = new Map((data.addressSets ?? []).map((s) => [s.addressSetId, s.name]));
  const hosts = new Map((data.hosts ?? []).map((h) => [h.id, h.name]));
  const vms = new Map((data.vms ?? []).map((v) => [v.id, v.name]));
  const networks = new Map((data.switch?.networks ?? []).map((n) => [n.id, n.name]));
  const vifs = new Map<string, string>();
  for (const vm of data.vms ?? []) {
    for (const vif of vm.vifs) vifs.set(vif.id, `${vm.name} eth${vif.device}`);
  }
  for (const network of data.switch?.networks ?? []) {
    for (const port of network.ports) {
      if (!vifs.has(port.vifId)) vifs.set(port.vifId, `${port.vmName} (${port.vifId})`);
    }
  }
  const lookup: Lookup = {
    host: (id) => (id === null ? '—' : (hosts.get(id) ?? id)),
    vm: (id) => vms.get(id) ?? id,
    network: (id) => networks.get(id) ?? id,
    vif: (id) => vifs.get(id) ?? id,
    group: (id) => groups.get(id) ?? id,
    addressSet: (id) => sets.get(id) ?? id,
    scope: (scope) => {
      switch (scope.kind) {
        case 'network':
          return `network ${lookup.network(scope.networkId)}`;
        case 'vif':
          return `VIF ${lookup.vif(scope.vifId)}`;
        case 'group':
          return `group ${lookup.group(scope.groupId)}`;
      }
    },
  };
  return lookup;
}
