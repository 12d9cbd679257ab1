import type { AddressView } from '@pool/contracts';
import { type Lookup } from '../lookup.js';
import { type DashboardData } from '../views.js';
import { type ObjectPage } from './route.js';

export interface SearchHit {
  page: ObjectPage;
  id: string;
  label: string;
  /** Why it matched: `MAC 02:00:…`, `IP 10.0.0.5`, `name`. */
  why: string;
}

const MAC = /^[0-9a-f]{2}([:-]?[0-9a-f]{2}){5}$/i;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-f:]+:[0-9a-f:.]*$/i;

/** What the address registry (`/addresses`) is asked for a query, if it looks like an address. */
export function addressQuery(query: string): { mac: string } | { ip: string } | null {
  const q = query.trim();
  if (MAC.test(q)) return { mac: q };
  if (IPV4.test(q) || IPV6.test(q)) return { ip: q };
  return null;
}

/** Hits from the address registry: the VIF with the address, and its VM. */
export function addressHits(addresses: readonly AddressView[], lookup: Lookup): SearchHit[] {
  return addresses.flatMap((a) => {
    const why = `${a.ip ? `IP ${a.ip} · ` : ''}MAC ${a.mac} on ${lookup.network(a.networkId)}`;
    return [
      { page: 'port' as const, id: a.vifId, label: lookup.vif(a.vifId), why },
      {
        page: 'vm' as const,
        id: a.vmId,
        label: lookup.vm(a.vmId),
        why: `owns ${lookup.vif(a.vifId)}`,
      },
    ];
  });
}

/** Names and ids of the loaded VMs, hosts, networks and ports containing the query. */
export function nameHits(query: string, data: DashboardData, lookup: Lookup): SearchHit[] {
  const q = query.trim().toLowerCase();
  if (q === '') return [];
  const has = (...texts: string[]) => texts.some((t) => t.toLowerCase().includes(q));
  const hits: SearchHit[] = [];
  for (const vm of data.vms ?? []) {
    if (has(vm.name, vm.id)) hits.push({ page: 'vm', id: vm.id, label: vm.name, why: 'VM' });
    for (const vif of vm.vifs) {
      if (has(vif.id, vif.port)) {
        hits.push({ page: 'port', id: vif.id, label: lookup.vif(vif.id), why: `port ${vif.port}` });
      }
    }
  }
  for (const host of data.hosts ?? []) {
    if (has(host.name, host.id, host.address)) {
      hits.push({ page: 'host', id: host.id, label: host.name, why: `host ${host.address}` });
    }
  }
  for (const network of data.switch?.networks ?? []) {
    if (has(network.name, network.id)) {
      hits.push({
        page: 'network',
        id: network.id,
        label: network.name,
        why: `${network.kind} network`,
      });
    }
  }
  return hits;
}

/** One hit per page and id, the first reason kept. */
export function uniqueHits(hits: readonly SearchHit[]): SearchHit[] {
  const seen = new Set<string>();
  return hits.filter((h) => {
    const key = `${h.page}/${h.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
