import type { Page } from '@pool/contracts';
import { type HttpClient, type Query } from '../http/http-client.js';
import { path } from '../http/path.js';
import {
  type AclView,
  type AddressSetView,
  type HostDetail,
  type HostView,
  type MirrorView,
  type NetworkView,
  type PoolSummary,
  type PoolView,
  type ReadSource,
  type SecurityGroupView,
  type VmFilter,
  type VmView,
} from './views.js';

/** The projection's largest page. */
const PAGE_LIMIT = 500;

/** The projection's read API (`/api`), every page of a list followed. */
export class ProjectionSource implements ReadSource {
  constructor(readonly http: HttpClient) {}

  pools = () => this.list<PoolSummary>('/api/pools');
  pool = (pool: string) => this.one<PoolView>(path`/api/pools/${pool}`);
  hosts = (pool: string, filter: { enabled?: boolean } = {}, signal?: AbortSignal) =>
    this.list<HostView>(path`/api/pools/${pool}/hosts`, { enabled: filter.enabled }, signal);
  host = (pool: string, host: string) =>
    this.one<HostDetail>(path`/api/pools/${pool}/hosts/${host}`);
  networks = (pool: string) => this.list<NetworkView>(path`/api/pools/${pool}/networks`);
  network = (pool: string, network: string) =>
    this.one<NetworkView>(path`/api/pools/${pool}/networks/${network}`);
  vms = (pool: string, filter: VmFilter = {}) =>
    this.list<VmView>(path`/api/pools/${pool}/vms`, {
      host: filter.host,
      powerState: filter.powerState,
    });
  vm = (pool: string, vm: string) => this.one<VmView>(path`/api/pools/${pool}/vms/${vm}`);
  acls = (pool: string) => this.list<AclView>(path`/api/pools/${pool}/acls`);
  mirrors = (pool: string) => this.list<MirrorView>(path`/api/pools/${pool}/mirrors`);
  addressSets = (pool: string) => this.list<AddressSetView>(path`/api/pools/${pool}/address-sets`);
  securityGroups = (pool: string) =>
    this.list<SecurityGroupView>(path`/api/pools/${pool}/security-groups`);

  private one<T>(pathname: string): Promise<T> {
    return this.http.json<T>({ method: 'GET', path: pathname });
  }

  private async list<T>(pathname: string, query: Query = {}, signal?: AbortSignal): Promise<T[]> {
    const items: T[] = [];
    for (let cursor: string | undefined; ;) {
      const page = await this.http.json<Page<T>>({
        method: 'GET',
        path: pathname,
        query: { ...query, limit: PAGE_LIMIT, cursor },
        signal,
      });
      items.push(...page.items);
      if (!page.nextCursor) return items;
      cursor = page.nextCursor;
    }
  }
}
