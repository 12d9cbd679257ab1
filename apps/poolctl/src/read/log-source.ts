import { replayPool, upcastPoolEvent, type PoolEvent, type PoolState } from '@pool/domain';
import { ApiError, CliError } from '../cli/errors.js';
import { ExitCode } from '../cli/exit-codes.js';
import { type MasterClient } from '../http/master-client.js';
import {
  aclViews,
  addressSetViews,
  hostDetail,
  hostView,
  mirrorViews,
  networkViews,
  poolView,
  securityGroupViews,
  vmView,
} from './log-views.js';
import { type ReadSource, type VmFilter } from './views.js';

interface Folded {
  state: PoolState;
  version: number;
}

const notFound = (code: string, what: string) =>
  new ApiError(404, code, `${what} does not exist.`, {});

/**
 * The read verbs without the projection: the pool's log from the master, folded by the
 * domain's own `evolve`. Exact for configuration, blind to what hosts applied; one read of the
 * log per pool and run.
 */
export class LogSource implements ReadSource {
  private readonly folded = new Map<string, Promise<Folded>>();

  constructor(private readonly master: MasterClient) {}

  pools(): Promise<never> {
    return Promise.reject(
      new CliError(
        ExitCode.Unavailable,
        'PROJECTION_REQUIRED',
        'listing pools needs the projection (the master has no list of pools); see --projection',
      ),
    );
  }

  async pool(pool: string) {
    const { state, version } = await this.fold(pool);
    return poolView(state, version);
  }

  async hosts(pool: string, filter: { enabled?: boolean } = {}) {
    const { state } = await this.fold(pool);
    return [...state.hosts.values()]
      .filter(
        (host) => filter.enabled === undefined || (host.state === 'enabled') === filter.enabled,
      )
      .map((host) => hostView(state, host));
  }

  async host(pool: string, id: string) {
    const { state } = await this.fold(pool);
    const host = state.hosts.get(id);
    if (!host) throw notFound('HOST_NOT_FOUND', `host ${id}`);
    return hostDetail(state, host);
  }

  async networks(pool: string) {
    return networkViews((await this.fold(pool)).state);
  }

  async network(pool: string, id: string) {
    const network = (await this.networks(pool)).find((n) => n.id === id);
    if (!network) throw notFound('NETWORK_NOT_FOUND', `network ${id}`);
    return network;
  }

  async vms(pool: string, filter: VmFilter = {}) {
    const { state } = await this.fold(pool);
    return [...state.vms.values()]
      .filter((vm) => filter.host === undefined || vm.residentHostId === filter.host)
      .filter((vm) => filter.powerState === undefined || vm.powerState === filter.powerState)
      .map((vm) => vmView(state, vm));
  }

  async vm(pool: string, id: string) {
    const { state } = await this.fold(pool);
    const vm = state.vms.get(id);
    if (!vm) throw notFound('VM_NOT_FOUND', `VM ${id}`);
    return vmView(state, vm);
  }

  async acls(pool: string) {
    return aclViews((await this.fold(pool)).state);
  }

  async mirrors(pool: string) {
    return mirrorViews((await this.fold(pool)).state);
  }

  async addressSets(pool: string) {
    return addressSetViews((await this.fold(pool)).state);
  }

  async securityGroups(pool: string) {
    return securityGroupViews((await this.fold(pool)).state);
  }

  private fold(pool: string): Promise<Folded> {
    let folded = this.folded.get(pool);
    if (!folded) this.folded.set(pool, (folded = this.readLog(pool)));
    return folded;
  }

  private async readLog(pool: string): Promise<Folded> {
    const events: PoolEvent[] = [];
    let version = 0;
    for await (const event of this.master.eventsAfter(pool)) {
      try {
        events.push(upcastPoolEvent(event));
      } catch (error) {
        throw new CliError(
          ExitCode.Unavailable,
          'UNKNOWN_EVENT',
          `the pool's log holds an event this poolctl cannot read (${(error as Error).message}); ` +
            'upgrade poolctl or use the projection',
        );
      }
      version = event.version;
    }
    return { state: replayPool(events), version };
  }
}
